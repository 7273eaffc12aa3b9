// Python pickles as the Once-for-All space's data files hold them, read into a plain tree.
//
// LibTorch's unpickler (data/pickle.h) refuses both of the forms these files use: HELP's
// ofa_archs.pt stores each resolution as a numpy integer scalar, and Once-for-All's
// acc_predictor.pth is a torch.save file of the layout before PyTorch 1.6 (five pickles and
// the raw storages in one stream, not a zip archive). This reader runs the pickle machine of
// protocols 0-4 (the opcodes of lists, tuples, dicts, numbers, strings, bytes, globals, calls
// and persistent ids) and builds a tree without calling anything; the few calls that stand for
// plain values are interpreted: collections.OrderedDict() is a dict, _codecs.encode(s, 'latin1')
// is bytes, numpy.core.multiarray.scalar(dtype, bytes) of an integer dtype is an integer
// (PickledInteger), torch._utils._rebuild_tensor_v2 of a float storage is a tensor
// (LoadLegacyTorchStateDict).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simnas {

struct PickleObject;
using PickleRef = std::shared_ptr<PickleObject>;

// One value of the tree. Containers hold shared references: a pickle may refer to one object
// from several places (its memo).
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
};

// Runs the pickle that starts at bytes[*pos]; on return *pos is just past its STOP opcode.
// Throws DataError naming `what` (e.g. the file) and the byte offset of the first opcode that
// is malformed, unsupported or reads past the end.
PickleRef ReadPickle(std::string_view bytes, std::size_t* pos, const std::string& what);

// The object of a torch.save file in the zip layout (PyTorch >= 1.6; its record data.pkl).
// Throws DataError naming the file when it is missing, not such an archive, or not readable.
PickleRef LoadTorchZipPickle(const std::filesystem::path& path);

// An integer: a pickled int or bool, or a numpy integer scalar (little-endian or one byte).
// nullopt for anything else.
std::optional<std::int64_t> PickledInteger(const PickleObject& value);

struct PickledTensor {
  std::vector<std::int64_t> shape;
  std::vector<float> values;  // row-major
};

// A state dict (a dict {name: float32 tensor}) saved by torch.save in the layout before
// PyTorch 1.6, names in the file's order. Throws DataError naming the file and what is wrong
// (not that layout, a big-endian writer, a tensor of another type or not row-major, a storage
// cut short, bytes left over).
std::vector<std::pair<std::string, PickledTensor>> LoadLegacyTorchStateDict(const std::filesystem::path& path);

}  // namespace simnas
