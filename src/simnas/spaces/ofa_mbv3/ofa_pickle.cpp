#include "simnas/spaces/ofa_mbv3/ofa_pickle.h"

#include <bit>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"
#include "simnas/data/torch_save.h"

namespace simnas {
namespace {

static_assert(std::endian::native == std::endian::little, "the storages are read as little-endian floats");

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

bool IsGlobal(const PickleObject& o, std::string_view name) { return o.kind == Kind::kGlobal && o.text == name; }

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

class Machine {
 public:
  Machine(std::string_view bytes, std::size_t pos, const std::string& what) : b_(bytes), pos_(pos), what_(what) {}

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
    throw DataError(fmt::format("{}: pickle opcode at byte {}: {}", what_, op_at_,
                                fmt::format(format, std::forward<Args>(args)...)));
  }

  std::string_view Take(std::size_t n) {
    if (n > b_.size() - pos_) Fail("reads past the end of the data");
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
    stack_.push_back(MakeText(Kind::kGlobal, module + "." + std::string(name)));
  }
  // callable(*args): a plain value for the few calls that stand for one, else a kCall node.
  PickleRef Call(const PickleRef& callable, const PickleRef& args) {
    if (args->kind != Kind::kTuple) Fail("calls {} with {} instead of a tuple", callable->Describe(), args->Describe());
    if (IsGlobal(*callable, "collections.OrderedDict") && args->items.empty()) return Make(Kind::kDict);
    if (IsGlobal(*callable, "_codecs.encode") && args->items.size() == 2 && args->items[0]->kind == Kind::kString &&
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
      case 'p': {
        const auto i = ParseInt(Line());
        if (!i || *i < 0) Fail("PUT without a memo index");
        Put(static_cast<std::uint64_t>(*i));
        break;
      }
      case 0x94: Put(memo_.size()); break;  // MEMOIZE
      case 'h': Get(Unsigned(1)); break;
      case 'j': Get(Unsigned(4)); break;
      case 'g': {
        const auto i = ParseInt(Line());
        if (!i || *i < 0) Fail("GET without a memo index");
        Get(static_cast<std::uint64_t>(*i));
        break;
      }
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
      default: Fail("opcode 0x{:02x} is not supported", op);
    }
  }

  std::string_view b_;
  std::size_t pos_;
  std::size_t op_at_ = 0;
  const std::string& what_;
  std::vector<PickleRef> stack_;
  std::vector<std::size_t> marks_;
  std::vector<PickleRef> memo_;
};

// The magic number that opens a torch.save file of the layout before PyTorch 1.6
// (0x1950a86a20f9469cfc6c, little-endian).
constexpr std::string_view kLegacyMagic = "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
constexpr std::int64_t kLegacyProtocol = 1001;

bool IsRowMajor(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& stride) {
  std::int64_t expected = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && stride[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

std::optional<std::vector<std::int64_t>> IntTuple(const PickleObject& o) {
  if (o.kind != Kind::kTuple) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const PickleRef& v : o.items) {
    if (v->kind != Kind::kInt || v->integer < 0) return std::nullopt;
    out.push_back(v->integer);
  }
  return out;
}

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

PickleRef ReadPickle(std::string_view bytes, std::size_t* pos, const std::string& what) {
  Machine m(bytes, *pos, what);
  PickleRef out = m.Run();
  *pos = m.pos();
  return out;
}

PickleRef LoadTorchZipPickle(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw DataError(fmt::format("{}: no such file", path.string()));
  // The archive's data.pkl entry (data/torch_save.h reads torch.save's zip layout without LibTorch).
  const std::string bytes = ReadZipEntry(ReadFile(path), "data.pkl", path.string());
  std::size_t pos = 0;
  PickleRef out = ReadPickle(bytes, &pos, path.string() + " (data.pkl)");
  if (pos != bytes.size()) {
    throw DataError(fmt::format("{}: {} bytes after the pickle of data.pkl", path.string(), bytes.size() - pos));
  }
  return out;
}

std::optional<std::int64_t> PickledInteger(const PickleObject& v) {
  if (v.kind == Kind::kInt) return v.integer;
  if (v.kind == Kind::kBool) return v.boolean ? 1 : 0;
  // numpy.core.multiarray.scalar(numpy.dtype('i8', ...) with state (3, '<', ...), b'...')
  if (v.kind != Kind::kCall || !IsGlobal(*v.items[0], "numpy.core.multiarray.scalar")) return std::nullopt;
  const PickleObject& args = *v.items[1];
  if (args.items.size() != 2 || args.items[1]->kind != Kind::kBytes) return std::nullopt;
  const PickleObject& dtype = *args.items[0];
  if (dtype.kind != Kind::kCall || !IsGlobal(*dtype.items[0], "numpy.dtype")) return std::nullopt;
  const PickleObject& dtype_args = *dtype.items[1];
  if (dtype_args.items.empty() || dtype_args.items[0]->kind != Kind::kString) return std::nullopt;
  const std::string& code = dtype_args.items[0]->text;  // "i8", "u4", ...
  if (code.size() != 2 || (code[0] != 'i' && code[0] != 'u') || code[1] < '1' || code[1] > '8') return std::nullopt;
  const std::size_t size = static_cast<std::size_t>(code[1] - '0');
  const std::string& raw = args.items[1]->text;
  if (raw.size() != size || (size != 1 && size != 2 && size != 4 && size != 8)) return std::nullopt;
  if (size > 1) {
    // The byte order is the second entry of the dtype's state: '<' (or '=' on this little-endian reader).
    if (!dtype.state || dtype.state->kind != Kind::kTuple || dtype.state->items.size() < 2) return std::nullopt;
    const PickleObject& order = *dtype.state->items[1];
    if (order.kind != Kind::kString || (order.text != "<" && order.text != "=")) return std::nullopt;
  }
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < size; ++i) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
  if (code[0] == 'u') {
    if (size == 8 && u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (size < 8 && (u >> (8 * size - 1)) != 0) u |= ~std::uint64_t{0} << (8 * size);
  return static_cast<std::int64_t>(u);
}

std::vector<std::pair<std::string, PickledTensor>> LoadLegacyTorchStateDict(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw DataError(fmt::format("{}: no such file", path.string()));
  const std::vector<char> file = ReadFileBytes(path);
  const std::string_view bytes(file.data(), file.size());
  const std::string what = path.string();
  const auto fail = [&](const std::string& why) { return DataError(fmt::format("{}: {}", what, why)); };
  if (bytes.size() < 2 || bytes[0] != '\x80') {
    throw fail("not a torch.save file of the layout before PyTorch 1.6 (no pickle at its start)");
  }
  std::size_t pos = 0;
  const PickleRef magic = ReadPickle(bytes, &pos, what);
  if (magic->kind != Kind::kBigInt || magic->text != kLegacyMagic) {
    throw fail("not a torch.save file of the layout before PyTorch 1.6 (wrong magic number)");
  }
  const PickleRef protocol = ReadPickle(bytes, &pos, what);
  if (protocol->kind != Kind::kInt || protocol->integer != kLegacyProtocol) {
    throw fail(fmt::format("torch.save protocol {} is not supported (expected {})",
                           protocol->kind == Kind::kInt ? std::to_string(protocol->integer) : protocol->Describe(),
                           kLegacyProtocol));
  }
  const PickleRef sys_info = ReadPickle(bytes, &pos, what);
  const PickleObject* little = sys_info->Find("little_endian");
  if (little == nullptr || little->kind != Kind::kBool || !little->boolean) {
    throw fail("written on a big-endian machine (or without system information); not supported");
  }
  const PickleRef root = ReadPickle(bytes, &pos, what);
  const PickleRef keys = ReadPickle(bytes, &pos, what);
  if (root->kind != Kind::kDict) throw fail(fmt::format("the saved object is {}, not a state dict", root->Describe()));
  if (keys->kind != Kind::kList) throw fail("the storage key list is missing");

  // The storages, in the order of the key list: an int64 element count, then the elements.
  std::map<std::string, std::vector<float>> storages;
  for (const PickleRef& key : keys->items) {
    if (key->kind != Kind::kString) throw fail("a storage key is not a string");
    if (bytes.size() - pos < 8) throw fail(fmt::format("storage {} is cut short", key->text));
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[pos + i])) << (8 * i);
    pos += 8;
    if (n > (bytes.size() - pos) / sizeof(float)) throw fail(fmt::format("storage {} is cut short", key->text));
    std::vector<float> values(static_cast<std::size_t>(n));
    std::memcpy(values.data(), bytes.data() + pos, values.size() * sizeof(float));
    pos += values.size() * sizeof(float);
    storages[key->text] = std::move(values);
  }
  if (pos != bytes.size()) throw fail(fmt::format("{} bytes after the last storage", bytes.size() - pos));

  std::vector<std::pair<std::string, PickledTensor>> out;
  for (std::size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const PickleObject& name = *root->items[i];
    const PickleObject& value = *root->items[i + 1];
    if (name.kind != Kind::kString) throw fail("a state dict key is not a string");
    const auto bad = [&](const std::string& why) { return fail(fmt::format("tensor {}: {}", Quoted(name.text), why)); };
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
    if (value.kind != Kind::kCall || !IsGlobal(*value.items[0], "torch._utils._rebuild_tensor_v2")) {
      throw bad(fmt::format("{} instead of a tensor", value.Describe()));
    }
    const std::vector<PickleRef>& args = value.items[1]->items;
    if (args.size() < 4 || args[0]->kind != Kind::kPersistentId || args[1]->kind != Kind::kInt) {
      throw bad("unexpected tensor arguments");
    }
    // ('storage', torch.FloatStorage, key, location, size, view)
    const PickleObject& id = *args[0]->items[0];
    if (id.kind != Kind::kTuple || id.items.size() < 5 || id.items[0]->kind != Kind::kString ||
        id.items[0]->text != "storage" || id.items[2]->kind != Kind::kString) {
      throw bad("unexpected storage reference");
    }
    if (!IsGlobal(*id.items[1], "torch.FloatStorage")) {
      throw bad(fmt::format("{} is not supported (float32 tensors only)", id.items[1]->Describe()));
    }
    const auto storage = storages.find(id.items[2]->text);
    if (storage == storages.end()) throw bad(fmt::format("storage {} is not in the file", id.items[2]->text));
    const auto shape = IntTuple(*args[2]);
    const auto stride = IntTuple(*args[3]);
    if (!shape || !stride || shape->size() != stride->size() || !IsRowMajor(*shape, *stride)) {
      throw bad("not a row-major tensor");
    }
    std::int64_t numel = 1;
    for (std::int64_t d : *shape) numel *= d;
    const std::int64_t offset = args[1]->integer;
    if (offset < 0 || offset + numel > static_cast<std::int64_t>(storage->second.size())) {
      throw bad("reaches beyond its storage");
    }
    PickledTensor t;
    t.shape = *shape;
    t.values.assign(storage->second.begin() + offset, storage->second.begin() + offset + numel);
    out.emplace_back(name.text, std::move(t));
  }
  return out;
}

}  // namespace simnas
