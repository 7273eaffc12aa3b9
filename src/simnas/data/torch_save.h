// Reading Python pickles and the files `torch.save` writes (a zip archive holding
// `<name>/data.pkl`) without LibTorch. Loading LibTorch costs about half a second per process;
// reading a latency table this way costs milliseconds.
//
// One reader runs the pickle machine and builds a tree without calling anything, in one of two
// forms:
// - PickleForm::kPlain, what the benchmark data's torch.save files hold: the binary opcodes of
//   protocols 2 to 5 for numbers, strings, lists, tuples and dicts, also the forms LibTorch's own
//   pickler writes for typed lists and dicts (build_intlist and friends, restore_type_tag: their
//   first argument). Tensors and other Python objects are refused.
// - PickleForm::kAny: protocols 0 to 5, bytes, globals, calls and persistent ids kept as nodes;
//   the few calls that stand for plain values are interpreted: collections.OrderedDict() is a
//   dict, _codecs.encode(s, 'latin1') is bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

struct PickleObject;
using PickleRef = std::shared_ptr<PickleObject>;

// One value of the tree. Containers hold shared references: a pickle may refer to one object
// from several places (its memo), and both references see the same content.
struct PickleObject {
  enum class Kind {
    kNone,
    kBool,
    kInt,           // fits in 64 bits
    kBigInt,        // longer: `text` holds its little-endian two's-complement bytes
    kFloat,
    kString,        // `text`, UTF-8
    kBytes,         // `text`, raw
    kList,          // `items`
    kTuple,         // `items`
    kDict,          // `items`: key 0, value 0, key 1, value 1, ... in insertion order
    kGlobal,        // `text`: "module.name"
    kCall,          // `items`: callable, argument tuple
    kPersistentId,  // `items`: the id object
  };
  Kind kind = Kind::kNone;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string text;
  std::vector<PickleRef> items;
  PickleRef state;  // what a BUILD opcode gave a call, dict or list (its __setstate__ argument)

  // "a list", "an int", "a call of numpy.dtype", ... for messages.
  std::string Describe() const;
  // The value of a dict's string key, or nullptr (also when this is not a dict).
  const PickleObject* Find(std::string_view key) const;
  bool IsGlobal(std::string_view name) const { return kind == Kind::kGlobal && text == name; }
};

enum class PickleForm { kPlain, kAny };

// Runs the pickle that starts at bytes[*pos]; on return *pos is just past its STOP opcode.
// Throws DataError naming `what` (e.g. the file) and the byte offset of the first opcode that
// is malformed, unsupported (in `form`) or reads past the end.
PickleRef ReadPickle(std::string_view bytes, std::size_t* pos, const std::string& what,
                     PickleForm form = PickleForm::kAny);

// The bytes of the archive entry whose name is `name` or ends with "/" + `name` (stored
// entries only, as torch.save writes them; the CRC is checked). Throws DataError naming
// `where` when the bytes are not a zip archive, the entry is missing, compressed or corrupt.
std::string ReadZipEntry(std::string_view zip, std::string_view name, const std::string& where);

// The object saved at `path` by torch.save (PyTorch >= 1.6's zip layout), read in `form`.
// Throws DataError naming the file when it is missing, empty, not such an archive, or not
// readable.
PickleRef LoadTorchSave(const std::filesystem::path& path, PickleForm form = PickleForm::kPlain);

}  // namespace simnas
