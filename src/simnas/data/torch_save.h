// Reading the files `torch.save` writes (a zip archive holding `<name>/data.pkl`, a Python
// pickle) without LibTorch, for the plain values the benchmark data holds: numbers, strings,
// lists, tuples and dicts (also the forms LibTorch's own pickler writes for typed lists and
// dicts). Tensors and other Python objects are refused. Loading LibTorch costs about half a
// second per process; reading a latency table this way costs milliseconds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace simnas {

// One unpickled value. Lists, tuples and dicts are shared: a pickle may refer to the same
// object twice (its memo), and both references see the same content.
class PickleValue {
 public:
  enum class Kind { kNone, kBool, kInt, kDouble, kString, kList, kTuple, kDict };
  using Items = std::vector<PickleValue>;
  using Entries = std::vector<std::pair<PickleValue, PickleValue>>;

  PickleValue() = default;  // None
  static PickleValue Bool(bool b);
  static PickleValue Int(std::int64_t i);
  static PickleValue Double(double d);
  static PickleValue String(std::string s);
  static PickleValue List(std::shared_ptr<Items> items);
  static PickleValue Tuple(std::shared_ptr<Items> items);
  static PickleValue Dict(std::shared_ptr<Entries> entries);

  Kind kind() const { return kind_; }
  // "None", "Bool", "Int", "Double", "String", "List", "Tuple", "Dict".
  std::string KindName() const;
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_double() const { return kind_ == Kind::kDouble; }
  bool is_string() const { return kind_ == Kind::kString; }

  // The value; each requires the matching kind (checked: throws std::logic_error otherwise).
  bool AsBool() const;
  std::int64_t AsInt() const;
  double AsDouble() const;
  const std::string& AsString() const;
  const Items& AsItems() const;  // a list's or a tuple's items
  const Entries& AsEntries() const;
  // The mutable containers, for building a value (the unpickler).
  Items& MutableItems();
  Entries& MutableEntries();

 private:
  Kind kind_ = Kind::kNone;
  std::variant<std::monostate, bool, std::int64_t, double, std::string, std::shared_ptr<Items>,
               std::shared_ptr<Entries>>
      value_;
};

// The object in a pickle (protocols 2 to 5, binary opcodes). Throws DataError naming `where`
// and the byte offset on a truncated or unsupported pickle, or one that holds a tensor or
// another Python object.
PickleValue ParsePickle(std::string_view bytes, const std::string& where);

// The bytes of the archive entry whose name is `name` or ends with "/" + `name` (stored
// entries only, as torch.save writes them; the CRC is checked). Throws DataError naming
// `where` when the bytes are not a zip archive, the entry is missing, compressed or corrupt.
std::string ReadZipEntry(std::string_view zip, std::string_view name, const std::string& where);

// The object saved at `path` by torch.save. Throws DataError naming the file.
PickleValue LoadTorchSave(const std::filesystem::path& path);

}  // namespace simnas
