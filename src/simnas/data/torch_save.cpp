#include "simnas/data/torch_save.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

// Little-endian fields of a byte string, bounds-checked.
class Bytes {
 public:
  Bytes(std::string_view data, const std::string& where) : data_(data), where_(where) {}
  std::size_t size() const { return data_.size(); }
  std::uint64_t Uint(std::size_t at, int width) const {
    Need(at, static_cast<std::size_t>(width));
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(data_[at + static_cast<std::size_t>(i)]);
    return v;
  }
  std::string_view Slice(std::size_t at, std::uint64_t n) const {
    Need(at, n);
    return data_.substr(at, static_cast<std::size_t>(n));
  }
  void Need(std::size_t at, std::uint64_t n) const {
    if (at > data_.size() || n > data_.size() - at) {
      throw DataError(fmt::format("{}: not a readable torch.save file (zip archive truncated at byte {})", where_, at));
    }
  }

 private:
  std::string_view data_;
  const std::string& where_;
};

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kCentralEntry = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kSaturated32 = 0xffffffffu;

}  // namespace

std::string ReadZipEntry(std::string_view zip, std::string_view name, const std::string& where) {
  const Bytes b(zip, where);
  const auto bad = [&](const std::string& why) {
    return DataError(fmt::format("{}: not a readable torch.save file ({})", where, why));
  };
  // The end-of-central-directory record: the last 22 bytes, or earlier by a comment.
  if (zip.size() < 22) throw bad("too short for a zip archive");
  std::size_t end = zip.size() - 22;
  const std::size_t lowest = zip.size() > 22 + 65535 ? zip.size() - 22 - 65535 : 0;
  while (b.Uint(end, 4) != kEndOfCentralDirectory) {
    if (end == lowest) throw bad("no zip directory; written by an old torch.save or truncated");
    --end;
  }
  std::uint64_t entries = b.Uint(end + 10, 2);
  std::uint64_t directory = b.Uint(end + 16, 4);
  if ((entries == 0xffff || directory == kSaturated32) && end >= 20 && b.Uint(end - 20, 4) == kZip64Locator) {
    const std::uint64_t end64 = b.Uint(end - 20 + 8, 8);
    if (end64 > zip.size() || b.Uint(static_cast<std::size_t>(end64), 4) != kZip64End) throw bad("bad zip64 directory");
    entries = b.Uint(static_cast<std::size_t>(end64) + 32, 8);
    directory = b.Uint(static_cast<std::size_t>(end64) + 48, 8);
  }
  std::size_t at = static_cast<std::size_t>(std::min<std::uint64_t>(directory, zip.size()));
  for (std::uint64_t e = 0; e < entries; ++e) {
    if (b.Uint(at, 4) != kCentralEntry) throw bad(fmt::format("bad zip directory entry at byte {}", at));
    const auto method = b.Uint(at + 10, 2);
    const auto crc = static_cast<std::uint32_t>(b.Uint(at + 16, 4));
    std::uint64_t packed = b.Uint(at + 20, 4);
    std::uint64_t size = b.Uint(at + 24, 4);
    const std::size_t name_length = b.Uint(at + 28, 2);
    const std::size_t extra_length = b.Uint(at + 30, 2);
    const std::size_t comment_length = b.Uint(at + 32, 2);
    std::uint64_t local = b.Uint(at + 42, 4);
    const std::string_view entry_name = b.Slice(at + 46, name_length);
    const std::size_t extra = at + 46 + name_length;
    at = extra + extra_length + comment_length;
    const bool match = entry_name == name || (entry_name.size() > name.size() &&
                                              entry_name.ends_with(name) &&
                                              entry_name[entry_name.size() - name.size() - 1] == '/');
    if (!match) continue;
    // Zip64: the saturated sizes and offset follow in the extra field 0x0001, in this order.
    for (std::size_t x = extra; x + 4 <= extra + extra_length;) {
      const auto id = b.Uint(x, 2);
      const std::size_t length = b.Uint(x + 2, 2);
      if (id == 0x0001) {
        std::size_t field = x + 4;
        for (std::uint64_t* v : {&size, &packed, &local}) {
          if (*v == kSaturated32 && field + 8 <= x + 4 + length) {
            *v = b.Uint(field, 8);
            field += 8;
          }
        }
      }
      x += 4 + length;
    }
    if (method != 0) {
      throw bad(fmt::format("entry {} is compressed (method {}); torch.save stores its entries uncompressed",
                            entry_name, method));
    }
    if (packed != size) throw bad(fmt::format("entry {} has inconsistent sizes", entry_name));
    if (local > zip.size() || b.Uint(static_cast<std::size_t>(local), 4) != kLocalHeader) {
      throw bad(fmt::format("entry {} has no local header", entry_name));
    }
    const std::size_t data = static_cast<std::size_t>(local) + 30 + b.Uint(static_cast<std::size_t>(local) + 26, 2) +
                             b.Uint(static_cast<std::size_t>(local) + 28, 2);
    const std::string_view bytes = b.Slice(data, size);
    uLong check = crc32(0L, Z_NULL, 0);
    for (std::size_t done = 0; done < bytes.size();) {
      const std::size_t chunk = std::min<std::size_t>(bytes.size() - done, std::numeric_limits<uInt>::max());
      check = crc32(check, reinterpret_cast<const Bytef*>(bytes.data() + done), static_cast<uInt>(chunk));
      done += chunk;
    }
    if (check != crc) throw bad(fmt::format("entry {} fails its CRC check", entry_name));
    return std::string(bytes);
  }
  throw bad(fmt::format("no entry {} in the archive", name));
}

namespace {

using Kind = PickleObject::Kind;

PickleRef Make(Kind kind) {
  auto p = std::make_shared<PickleObject>();
  p->kind = kind;
  return p;
}

PickleRef MakeInt(std::int64_t v) {
  PickleRef p = Make(Kind::kInt);
  p->integer = v;
  return p;
}

PickleRef MakeText(Kind kind, std::string text) {
  PickleRef p = Make(kind);
  p->text = std::move(text);
  return p;
}

// The integer of little-endian two's-complement bytes (LONG1/LONG4), or a kBigInt beyond 64 bits.
PickleRef IntFromBytes(std::string_view b) {
  if (b.size() > 8) return MakeText(Kind::kBigInt, std::string(b));
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < b.size(); ++i) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  if (!b.empty() && b.size() < 8 && (static_cast<unsigned char>(b.back()) & 0x80) != 0) {
    u |= ~std::uint64_t{0} << (8 * b.size());  // sign extension
  }
  return MakeInt(static_cast<std::int64_t>(u));
}

// What the plain form refuses: the text opcodes of protocols 0 and 1, bytes, NEWOBJ and BUILD.
constexpr std::string_view kNotPlain = "ILFTUBCbpg\x81\x8e";
// The calls of the plain form: LibTorch's typed list builders and type tags, which give back their
// first argument.
constexpr std::string_view kTypeTag = "torch.jit._pickle.restore_type_tag";
constexpr std::string_view kPlainCalls[] = {kTypeTag, "torch.jit._pickle.build_intlist",
                                            "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
                                            "torch.jit._pickle.build_stringlist"};
constexpr std::string_view kPlainOnly = "; simnas reads plain numbers, strings, lists and dicts";

class Machine {
 public:
  Machine(std::string_view bytes, std::size_t pos, const std::string& what, PickleForm form)
      : b_(bytes), pos_(pos), what_(what), plain_(form == PickleForm::kPlain) {}

  PickleRef Run() {
    for (;;) {
      op_at_ = pos_;
      const auto op = static_cast<unsigned char>(Take(1)[0]);
      if (op == '.') {
        if (stack_.size() != 1 || !marks_.empty()) Fail("STOP with a stack of {} values", stack_.size());
        return stack_.back();
      }
      Step(op);
    }
  }

  std::size_t pos() const { return pos_; }

 private:
  template <typename... Args>
  [[noreturn]] void Fail(fmt::format_string<Args...> format, Args&&... args) const {
    const std::string why = fmt::format(format, std::forward<Args>(args)...);
    if (plain_) {
      throw DataError(fmt::format("{}: not a readable torch.save file ({} at byte {} of data.pkl)", what_, why, op_at_));
    }
    throw DataError(fmt::format("{}: pickle opcode at byte {}: {}", what_, op_at_, why));
  }
  [[noreturn]] void Unsupported(unsigned char op) const {
    if (plain_) Fail("unsupported pickle opcode 0x{:02x}", op);
    Fail("opcode 0x{:02x} is not supported", op);
  }

  std::string_view Take(std::size_t n) {
    if (n > b_.size() - pos_) Fail("pickle truncated");
    const std::string_view s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint64_t Unsigned(std::size_t n) {
    const std::string_view s = Take(n);
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < n; ++i) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    return u;
  }
  std::size_t Length(std::size_t n) {
    const std::uint64_t len = Unsigned(n);
    if (len > b_.size() - pos_) Fail("a length of {} bytes runs past the end of the data", len);
    return static_cast<std::size_t>(len);
  }
  std::string_view Line() {
    const std::size_t nl = b_.find('\n', pos_);
    if (nl == std::string_view::npos) Fail("a text argument has no end of line");
    const std::string_view s = b_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return s;
  }

  PickleRef Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) Fail("pops an empty stack");
    PickleRef v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  PickleRef& Top() {
    if (stack_.empty()) Fail("reads an empty stack");
    return stack_.back();
  }
  // The values above the last mark, which is removed.
  std::vector<PickleRef> PopMark() {
    if (marks_.empty()) Fail("needs a mark and there is none");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PickleRef> out(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(m)),
                               std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return out;
  }
  PickleRef Tuple(std::vector<PickleRef> items) {
    PickleRef t = Make(Kind::kTuple);
    t->items = std::move(items);
    return t;
  }
  void Put(std::uint64_t index) {
    if (memo_.size() <= index) {
      if (index > b_.size()) Fail("memo index {} is out of range", index);
      memo_.resize(static_cast<std::size_t>(index) + 1);
    }
    memo_[static_cast<std::size_t>(index)] = Top();
  }
  // The decimal memo index of a text PUT or GET.
  std::uint64_t MemoIndex(const char* op) {
    const auto i = ParseInt(Line());
    if (!i || *i < 0) Fail("{} without a memo index", op);
    return static_cast<std::uint64_t>(*i);
  }
  void Get(std::uint64_t index) {
    if (index >= memo_.size() || !memo_[static_cast<std::size_t>(index)]) Fail("memo index {} was never set", index);
    stack_.push_back(memo_[static_cast<std::size_t>(index)]);
  }
  void Append(const PickleRef& list, std::vector<PickleRef> values) {
    if (list->kind != Kind::kList) Fail("appends to {}", list->Describe());
    for (PickleRef& v : values) list->items.push_back(std::move(v));
  }
  void SetItems(const PickleRef& dict, std::vector<PickleRef> kv) {
    if (dict->kind != Kind::kDict) Fail("sets items of {}", dict->Describe());
    if (kv.size() % 2 != 0) Fail("sets items from an odd number of values");
    for (PickleRef& v : kv) dict->items.push_back(std::move(v));
  }
  void Global(std::string module, std::string_view name) {
    std::string global = module + "." + std::string(name);
    if (plain_ && std::find(std::begin(kPlainCalls), std::end(kPlainCalls), global) == std::end(kPlainCalls)) {
      Fail("holds a {} object{}", global, kPlainOnly);
    }
    stack_.push_back(MakeText(Kind::kGlobal, std::move(global)));
  }
  // callable(*args): a plain value for the few calls that stand for one, else a kCall node.
  PickleRef Call(const PickleRef& callable, const PickleRef& args) {
    if (args->kind != Kind::kTuple) Fail("calls {} with {} instead of a tuple", callable->Describe(), args->Describe());
    if (plain_) {
      if (callable->kind != Kind::kGlobal) Fail("REDUCE without a callable");
      if (args->items.empty()) Fail("{} without arguments", callable->text);
      if (callable->text != kTypeTag && args->items[0]->kind != Kind::kList) {
        Fail("{} of something that is not a list", callable->text);
      }
      return args->items[0];
    }
    if (callable->IsGlobal("collections.OrderedDict") && args->items.empty()) return Make(Kind::kDict);
    if (callable->IsGlobal("_codecs.encode") && args->items.size() == 2 && args->items[0]->kind == Kind::kString &&
        args->items[1]->kind == Kind::kString && (args->items[1]->text == "latin1" || args->items[1]->text == "latin-1")) {
      return MakeText(Kind::kBytes, Latin1(args->items[0]->text));
    }
    PickleRef c = Make(Kind::kCall);
    c->items = {callable, args};
    return c;
  }
  // The bytes whose latin-1 decoding is the UTF-8 text `utf8` (every code point below 256).
  std::string Latin1(std::string_view utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      const auto c = static_cast<unsigned char>(utf8[i]);
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
        out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F)));
      } else {
        Fail("latin-1 text holds a character above U+00FF");
      }
    }
    return out;
  }

  void Step(unsigned char op) {
    if (plain_ && kNotPlain.find(static_cast<char>(op)) != std::string_view::npos) Unsupported(op);
    if (plain_ && (op == 'Q' || op == 'P')) Fail("holds a tensor or another persistent object{}", kPlainOnly);
    switch (op) {
      case 0x80: Take(1); break;  // PROTO
      case 0x95: Take(8); break;  // FRAME: framing only
      case '(': marks_.push_back(stack_.size()); break;
      case '0': Pop(); break;
      case '1': PopMark(); break;
      case '2': stack_.push_back(Top()); break;
      case 'N': stack_.push_back(Make(Kind::kNone)); break;
      case 0x88:
      case 0x89: {
        PickleRef v = Make(Kind::kBool);
        v->boolean = op == 0x88;
        stack_.push_back(v);
        break;
      }
      case 'I': {  // INT: decimal text; "00"/"01" are False/True
        const std::string_view s = Line();
        if (s == "00" || s == "01") {
          PickleRef v = Make(Kind::kBool);
          v->boolean = s == "01";
          stack_.push_back(v);
        } else if (const auto v = ParseInt(s)) {
          stack_.push_back(MakeInt(*v));
        } else {
          Fail("INT {} is not an integer", Quoted(s));
        }
        break;
      }
      case 'L': {  // LONG: decimal text with an optional trailing L
        std::string_view s = Line();
        if (!s.empty() && s.back() == 'L') s.remove_suffix(1);
        const auto v = ParseInt(s);
        if (!v) Fail("LONG {} is not a 64-bit integer", Quoted(s));
        stack_.push_back(MakeInt(*v));
        break;
      }
      case 'J': stack_.push_back(MakeInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(Unsigned(4))))); break;
      case 'K': stack_.push_back(MakeInt(static_cast<std::int64_t>(Unsigned(1)))); break;
      case 'M': stack_.push_back(MakeInt(static_cast<std::int64_t>(Unsigned(2)))); break;
      case 0x8a: stack_.push_back(IntFromBytes(Take(Length(1)))); break;
      case 0x8b: stack_.push_back(IntFromBytes(Take(Length(4)))); break;
      case 'G': {  // BINFLOAT: big-endian double
        const std::string_view s = Take(8);
        std::uint64_t u = 0;
        for (char c : s) u = (u << 8) | static_cast<unsigned char>(c);
        PickleRef v = Make(Kind::kFloat);
        v->real = std::bit_cast<double>(u);
        stack_.push_back(v);
        break;
      }
      case 'F': {
        const std::string_view s = Line();
        const auto d = ParseDouble(s);
        if (!d) Fail("FLOAT {} is not a number", Quoted(s));
        PickleRef v = Make(Kind::kFloat);
        v->real = *d;
        stack_.push_back(v);
        break;
      }
      case 'X': stack_.push_back(MakeText(Kind::kString, std::string(Take(Length(4))))); break;
      case 0x8c: stack_.push_back(MakeText(Kind::kString, std::string(Take(Length(1))))); break;
      case 0x8d: stack_.push_back(MakeText(Kind::kString, std::string(Take(Length(8))))); break;
      case 'T': stack_.push_back(MakeText(Kind::kString, std::string(Take(Length(4))))); break;
      case 'U': stack_.push_back(MakeText(Kind::kString, std::string(Take(Length(1))))); break;
      case 'B': stack_.push_back(MakeText(Kind::kBytes, std::string(Take(Length(4))))); break;
      case 'C': stack_.push_back(MakeText(Kind::kBytes, std::string(Take(Length(1))))); break;
      case 0x8e: stack_.push_back(MakeText(Kind::kBytes, std::string(Take(Length(8))))); break;
      case ']': stack_.push_back(Make(Kind::kList)); break;
      case 'l': {
        PickleRef l = Make(Kind::kList);
        l->items = PopMark();
        stack_.push_back(l);
        break;
      }
      case 'a': {
        PickleRef v = Pop();
        Append(Top(), {std::move(v)});
        break;
      }
      case 'e': {
        std::vector<PickleRef> values = PopMark();
        Append(Top(), std::move(values));
        break;
      }
      case ')': stack_.push_back(Make(Kind::kTuple)); break;
      case 't': stack_.push_back(Tuple(PopMark())); break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const std::size_t n = op - 0x84u;
        if (stack_.size() < n + (marks_.empty() ? 0 : marks_.back())) Fail("builds a {}-tuple from fewer values", n);
        std::vector<PickleRef> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        stack_.push_back(Tuple(std::move(items)));
        break;
      }
      case '}': stack_.push_back(Make(Kind::kDict)); break;
      case 'd': {
        PickleRef d = Make(Kind::kDict);
        SetItems(d, PopMark());
        stack_.push_back(d);
        break;
      }
      case 's': {
        PickleRef v = Pop();
        PickleRef k = Pop();
        SetItems(Top(), {std::move(k), std::move(v)});
        break;
      }
      case 'u': {
        std::vector<PickleRef> kv = PopMark();
        SetItems(Top(), std::move(kv));
        break;
      }
      case 'c': {
        std::string module(Line());
        Global(std::move(module), Line());
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PickleRef name = Pop();
        PickleRef module = Pop();
        if (module->kind != Kind::kString || name->kind != Kind::kString) Fail("STACK_GLOBAL of non-strings");
        Global(module->text, name->text);
        break;
      }
      case 'R': {
        PickleRef args = Pop();
        PickleRef callable = Pop();
        stack_.push_back(Call(callable, args));
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
        PickleRef args = Pop();
        PickleRef cls = Pop();
        stack_.push_back(Call(cls, args));
        break;
      }
      case 'b': {  // BUILD: the state is kept beside the object (e.g. a state dict's _metadata)
        PickleRef state = Pop();
        PickleRef& obj = Top();
        if (obj->kind != Kind::kCall && obj->kind != Kind::kDict && obj->kind != Kind::kList) {
          Fail("BUILD on {}", obj->Describe());
        }
        obj->state = std::move(state);
        break;
      }
      case 'q': Put(Unsigned(1)); break;
      case 'r': Put(Unsigned(4)); break;
      case 'p': Put(MemoIndex("PUT")); break;
      case 0x94: Put(memo_.size()); break;  // MEMOIZE
      case 'h': Get(Unsigned(1)); break;
      case 'j': Get(Unsigned(4)); break;
      case 'g': Get(MemoIndex("GET")); break;
      case 'Q': {  // BINPERSID
        PickleRef pid = Make(Kind::kPersistentId);
        pid->items = {Pop()};
        stack_.push_back(pid);
        break;
      }
      case 'P': {
        PickleRef pid = Make(Kind::kPersistentId);
        pid->items = {MakeText(Kind::kString, std::string(Line()))};
        stack_.push_back(pid);
        break;
      }
      default: Unsupported(op);
    }
  }

  std::string_view b_;
  std::size_t pos_;
  std::size_t op_at_ = 0;
  const std::string& what_;
  bool plain_;
  std::vector<PickleRef> stack_;
  std::vector<std::size_t> marks_;
  std::vector<PickleRef> memo_;
};

}  // namespace

std::string PickleObject::Describe() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "a bool";
    case Kind::kInt: return "an int";
    case Kind::kBigInt: return "an int beyond 64 bits";
    case Kind::kFloat: return "a float";
    case Kind::kString: return "a string";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "a list";
    case Kind::kTuple: return "a tuple";
    case Kind::kDict: return "a dict";
    case Kind::kGlobal: return "the global " + text;
    case Kind::kCall: return items.empty() ? "a call" : "a call of " + items[0]->Describe();
    case Kind::kPersistentId: return "a persistent id";
  }
  return "?";
}

const PickleObject* PickleObject::Find(std::string_view key) const {
  if (kind != Kind::kDict) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i]->kind == Kind::kString && items[i]->text == key) return items[i + 1].get();
  }
  return nullptr;
}

PickleRef ReadPickle(std::string_view bytes, std::size_t* pos, const std::string& what, PickleForm form) {
  Machine m(bytes, *pos, what, form);
  PickleRef out = m.Run();
  *pos = m.pos();
  return out;
}

PickleRef LoadTorchSave(const std::filesystem::path& path, PickleForm form) {
  const std::string where = path.string();
  const std::string zip = ReadFile(path);
  if (zip.empty()) throw DataError(fmt::format("{}: file is empty", where));
  const std::string bytes = ReadZipEntry(zip, "data.pkl", where);
  std::size_t pos = 0;
  PickleRef out = ReadPickle(bytes, &pos, form == PickleForm::kPlain ? where : where + " (data.pkl)", form);
  if (pos != bytes.size()) {
    throw DataError(fmt::format("{}: {} bytes after the pickle of data.pkl", where, bytes.size() - pos));
  }
  return out;
}

}  // namespace simnas
