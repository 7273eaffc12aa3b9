#include "simnas/data/torch_save.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"

namespace simnas {

PickleValue PickleValue::Bool(bool b) {
  PickleValue v;
  v.kind_ = Kind::kBool;
  v.value_ = b;
  return v;
}

PickleValue PickleValue::Int(std::int64_t i) {
  PickleValue v;
  v.kind_ = Kind::kInt;
  v.value_ = i;
  return v;
}

PickleValue PickleValue::Double(double d) {
  PickleValue v;
  v.kind_ = Kind::kDouble;
  v.value_ = d;
  return v;
}

PickleValue PickleValue::String(std::string s) {
  PickleValue v;
  v.kind_ = Kind::kString;
  v.value_ = std::move(s);
  return v;
}

PickleValue PickleValue::List(std::shared_ptr<Items> items) {
  PickleValue v;
  v.kind_ = Kind::kList;
  v.value_ = std::move(items);
  return v;
}

PickleValue PickleValue::Tuple(std::shared_ptr<Items> items) {
  PickleValue v;
  v.kind_ = Kind::kTuple;
  v.value_ = std::move(items);
  return v;
}

PickleValue PickleValue::Dict(std::shared_ptr<Entries> entries) {
  PickleValue v;
  v.kind_ = Kind::kDict;
  v.value_ = std::move(entries);
  return v;
}

std::string PickleValue::KindName() const {
  switch (kind_) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "Bool";
    case Kind::kInt: return "Int";
    case Kind::kDouble: return "Double";
    case Kind::kString: return "String";
    case Kind::kList: return "List";
    case Kind::kTuple: return "Tuple";
    case Kind::kDict: return "Dict";
  }
  return "?";
}

namespace {

void Require(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("PickleValue: not a ") + what);
}

}  // namespace

bool PickleValue::AsBool() const {
  Require(kind_ == Kind::kBool, "bool");
  return std::get<bool>(value_);
}

std::int64_t PickleValue::AsInt() const {
  Require(kind_ == Kind::kInt, "int");
  return std::get<std::int64_t>(value_);
}

double PickleValue::AsDouble() const {
  Require(kind_ == Kind::kDouble, "double");
  return std::get<double>(value_);
}

const std::string& PickleValue::AsString() const {
  Require(kind_ == Kind::kString, "string");
  return std::get<std::string>(value_);
}

const PickleValue::Items& PickleValue::AsItems() const {
  Require(kind_ == Kind::kList || kind_ == Kind::kTuple, "list or tuple");
  return *std::get<std::shared_ptr<Items>>(value_);
}

const PickleValue::Entries& PickleValue::AsEntries() const {
  Require(kind_ == Kind::kDict, "dict");
  return *std::get<std::shared_ptr<Entries>>(value_);
}

PickleValue::Items& PickleValue::MutableItems() {
  Require(kind_ == Kind::kList, "list");
  return *std::get<std::shared_ptr<Items>>(value_);
}

PickleValue::Entries& PickleValue::MutableEntries() {
  Require(kind_ == Kind::kDict, "dict");
  return *std::get<std::shared_ptr<Entries>>(value_);
}

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

// The unpickler: a stack machine over the binary opcodes of protocols 2-5. Values that stand
// for a callable (GLOBAL) are kept apart: only LibTorch's list and dict builders are known.
class Unpickler {
 public:
  Unpickler(std::string_view bytes, const std::string& where) : bytes_(bytes), where_(where) {}

  PickleValue Run() {
    for (;;) {
      op_at_ = pos_;
      const auto op = static_cast<unsigned char>(Take(1)[0]);
      switch (op) {
        case 0x80: Take(1); break;           // PROTO
        case 0x95: Take(8); break;           // FRAME
        case '.': return Finish();           // STOP
        case '(': marks_.push_back(stack_.size()); break;  // MARK
        case '0': Pop(); break;              // POP
        case '1': PopMark(); break;          // POP_MARK
        case '2': Dup(); break;
        case 'N': Push(PickleValue()); break;
        case 0x88: Push(PickleValue::Bool(true)); break;
        case 0x89: Push(PickleValue::Bool(false)); break;
        case 'J': Push(PickleValue::Int(static_cast<std::int32_t>(Uint(4)))); break;  // BININT
        case 'K': Push(PickleValue::Int(static_cast<std::int64_t>(Uint(1)))); break;  // BININT1
        case 'M': Push(PickleValue::Int(static_cast<std::int64_t>(Uint(2)))); break;  // BININT2
        case 0x8a: Push(Long(Uint(1))); break;  // LONG1
        case 0x8b: Push(Long(Uint(4))); break;  // LONG4
        case 'G': Push(PickleValue::Double(BigEndianDouble())); break;  // BINFLOAT
        case 'X': Push(PickleValue::String(std::string(Take(Uint(4))))); break;     // BINUNICODE
        case 0x8c: Push(PickleValue::String(std::string(Take(Uint(1))))); break;    // SHORT_BINUNICODE
        case 0x8d: Push(PickleValue::String(std::string(Take(Uint(8))))); break;    // BINUNICODE8
        case ']': Push(PickleValue::List(std::make_shared<PickleValue::Items>())); break;  // EMPTY_LIST
        case 'l': Push(PickleValue::List(std::make_shared<PickleValue::Items>(PopMark()))); break;  // LIST
        case 'a': {  // APPEND
          PickleValue item = Pop();
          ListAt(stack_.size() - 1).push_back(std::move(item));
          break;
        }
        case 'e': {  // APPENDS
          PickleValue::Items items = PopMark();
          PickleValue::Items& list = ListAt(stack_.size() - 1);
          for (PickleValue& item : items) list.push_back(std::move(item));
          break;
        }
        case ')': Push(PickleValue::Tuple(std::make_shared<PickleValue::Items>())); break;  // EMPTY_TUPLE
        case 't': Push(PickleValue::Tuple(std::make_shared<PickleValue::Items>(PopMark()))); break;  // TUPLE
        case 0x85: PushTuple(1); break;
        case 0x86: PushTuple(2); break;
        case 0x87: PushTuple(3); break;
        case '}': Push(PickleValue::Dict(std::make_shared<PickleValue::Entries>())); break;  // EMPTY_DICT
        case 'd': {  // DICT
          PickleValue dict = PickleValue::Dict(std::make_shared<PickleValue::Entries>());
          AddPairs(dict, PopMark());
          Push(std::move(dict));
          break;
        }
        case 's': {  // SETITEM
          PickleValue::Items pair(2);
          pair[1] = Pop();
          pair[0] = Pop();
          AddPairs(DictAt(stack_.size() - 1), std::move(pair));
          break;
        }
        case 'u': {  // SETITEMS
          PickleValue::Items pairs = PopMark();
          AddPairs(DictAt(stack_.size() - 1), std::move(pairs));
          break;
        }
        case 'q': Memo(Uint(1)); break;    // BINPUT
        case 'r': Memo(Uint(4)); break;    // LONG_BINPUT
        case 0x94: Memo(memo_.size()); break;  // MEMOIZE
        case 'h': Recall(Uint(1)); break;  // BINGET
        case 'j': Recall(Uint(4)); break;  // LONG_BINGET
        case 'c': {  // GLOBAL module\nname\n
          std::string module(Line());
          std::string name(Line());
          PushGlobal(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const PickleValue name = Pop();
          const PickleValue module = Pop();
          if (!name.is_string() || !module.is_string()) Fail("STACK_GLOBAL without two strings");
          PushGlobal(module.AsString() + "." + name.AsString());
          break;
        }
        case 'R': Reduce(); break;
        case 'Q':
        case 'P':
          Fail("holds a tensor or another persistent object; simnas reads plain numbers, strings, lists and dicts");
        default:
          Fail(fmt::format("unsupported pickle opcode 0x{:02x}", op));
      }
    }
  }

 private:
  [[noreturn]] void Fail(const std::string& why) const {
    throw DataError(fmt::format("{}: not a readable torch.save file ({} at byte {} of data.pkl)", where_, why, op_at_));
  }

  [[noreturn]] void RefuseObject(const std::string& callable) const {
    Fail("holds a " + callable + " object; simnas reads plain numbers, strings, lists and dicts");
  }

  std::string_view Take(std::uint64_t n) {
    if (n > bytes_.size() - pos_) Fail("pickle truncated");
    const std::string_view s = bytes_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }

  std::uint64_t Uint(int width) {
    const std::string_view s = Take(static_cast<std::uint64_t>(width));
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    return v;
  }

  std::string_view Line() {
    const std::size_t nl = bytes_.find('\n', pos_);
    if (nl == std::string_view::npos) Fail("pickle truncated");
    const std::string_view s = bytes_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return s;
  }

  double BigEndianDouble() {
    const std::string_view s = Take(8);
    std::uint64_t bits = 0;
    for (char c : s) bits = (bits << 8) | static_cast<unsigned char>(c);
    return std::bit_cast<double>(bits);
  }

  // A little-endian two's complement integer of n bytes; refused past 64 bits.
  PickleValue Long(std::uint64_t n) {
    const std::string_view s = Take(n);
    if (n == 0) return PickleValue::Int(0);
    if (n > 8) Fail(fmt::format("an integer of {} bytes, beyond 64 bits", n));
    std::uint64_t v = 0;
    for (std::size_t i = s.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
    if (n < 8 && (static_cast<unsigned char>(s.back()) & 0x80) != 0) v |= ~std::uint64_t{0} << (8 * n);
    return PickleValue::Int(static_cast<std::int64_t>(v));
  }

  struct Slot {
    PickleValue value;
    std::string global;  // non-empty: a callable named module.name
  };

  void Push(PickleValue v) { stack_.push_back(Slot{std::move(v), {}}); }
  void PushGlobal(std::string name) { stack_.push_back(Slot{PickleValue(), std::move(name)}); }
  void Dup() {
    if (stack_.size() <= Floor()) Fail("pickle stack underflow");
    stack_.push_back(stack_.back());
  }

  const PickleValue& Top() {
    if (stack_.size() <= Floor()) Fail("pickle stack underflow");
    if (!stack_.back().global.empty()) RefuseObject(stack_.back().global);
    return stack_.back().value;
  }

  PickleValue Pop() {
    PickleValue v = Top();
    stack_.pop_back();
    return v;
  }

  std::size_t Floor() const { return marks_.empty() ? 0 : marks_.back(); }

  PickleValue::Items PopMark() {
    if (marks_.empty()) Fail("no MARK to pop to");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    PickleValue::Items items;
    for (std::size_t i = mark; i < stack_.size(); ++i) {
      if (!stack_[i].global.empty()) RefuseObject(stack_[i].global);
      items.push_back(std::move(stack_[i].value));
    }
    stack_.resize(mark);
    return items;
  }

  void PushTuple(std::size_t n) {
    PickleValue::Items items(n);
    for (std::size_t i = n; i-- > 0;) items[i] = Pop();
    Push(PickleValue::Tuple(std::make_shared<PickleValue::Items>(std::move(items))));
  }

  PickleValue::Items& ListAt(std::size_t index) {
    if (stack_.empty() || index < Floor() || !stack_[index].global.empty() || !stack_[index].value.is_list()) {
      Fail("APPEND to something that is not a list");
    }
    return stack_[index].value.MutableItems();
  }

  PickleValue& DictAt(std::size_t index) {
    if (stack_.empty() || index < Floor() || !stack_[index].global.empty() || !stack_[index].value.is_dict()) {
      Fail("SETITEM on something that is not a dict");
    }
    return stack_[index].value;
  }

  void AddPairs(PickleValue& dict, PickleValue::Items pairs) {
    if (pairs.size() % 2 != 0) Fail("a dict with an odd number of keys and values");
    PickleValue::Entries& entries = dict.MutableEntries();
    for (std::size_t i = 0; i < pairs.size(); i += 2) {
      entries.emplace_back(std::move(pairs[i]), std::move(pairs[i + 1]));
    }
  }

  // The memo holds what the stack holds: values and references to callables alike.
  void Memo(std::uint64_t key) {
    if (stack_.size() <= Floor()) Fail("pickle stack underflow");
    if (key > bytes_.size()) Fail("memo key out of range");
    if (memo_.size() <= key) memo_.resize(static_cast<std::size_t>(key) + 1);
    memo_[static_cast<std::size_t>(key)] = stack_.back();
  }

  void Recall(std::uint64_t key) {
    if (key >= memo_.size() || !memo_[static_cast<std::size_t>(key)]) Fail(fmt::format("memo key {} unset", key));
    stack_.push_back(*memo_[static_cast<std::size_t>(key)]);
  }

  // REDUCE: callable(*args). LibTorch's pickler wraps typed lists in build_intlist and friends
  // and tags dicts and lists with their type (restore_type_tag); both give back their first
  // argument here.
  void Reduce() {
    const PickleValue args = Pop();
    if (stack_.size() <= Floor() || stack_.back().global.empty()) Fail("REDUCE without a callable");
    const std::string callable = stack_.back().global;
    stack_.pop_back();
    const bool builder = callable == "torch.jit._pickle.build_intlist" ||
                         callable == "torch.jit._pickle.build_doublelist" ||
                         callable == "torch.jit._pickle.build_boollist" ||
                         callable == "torch.jit._pickle.build_stringlist";
    const bool tag = callable == "torch.jit._pickle.restore_type_tag";
    if (!builder && !tag) {
      RefuseObject(callable);
    }
    if (args.kind() != PickleValue::Kind::kTuple || args.AsItems().empty()) Fail(callable + " without arguments");
    const PickleValue& first = args.AsItems()[0];
    if (builder && !first.is_list()) Fail(callable + " of something that is not a list");
    Push(first);
  }

  PickleValue Finish() {
    if (stack_.size() != 1 || !marks_.empty()) Fail("STOP with a stack of " + std::to_string(stack_.size()));
    return Pop();
  }

  std::string_view bytes_;
  const std::string& where_;
  std::size_t pos_ = 0;
  std::size_t op_at_ = 0;
  std::vector<Slot> stack_;
  std::vector<std::size_t> marks_;
  std::vector<std::optional<Slot>> memo_;
};

}  // namespace

PickleValue ParsePickle(std::string_view bytes, const std::string& where) { return Unpickler(bytes, where).Run(); }

PickleValue LoadTorchSave(const std::filesystem::path& path) {
  const std::vector<char> bytes = ReadFileBytes(path);
  if (bytes.empty()) throw DataError(fmt::format("{}: file is empty", path.string()));
  const std::string where = path.string();
  const std::string pickle = ReadZipEntry(std::string_view(bytes.data(), bytes.size()), "data.pkl", where);
  return ParsePickle(pickle, where);
}

}  // namespace simnas
