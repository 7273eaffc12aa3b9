// The Once-for-All space's data files, read from the tree of data/torch_save.h (PickleForm::kAny).
//
// LibTorch's unpickler refuses both of the forms these files use: HELP's ofa_archs.pt stores
// each resolution as a numpy integer scalar (PickledInteger), and Once-for-All's
// acc_predictor.pth is a torch.save file of the layout before PyTorch 1.6 (five pickles and the
// raw storages in one stream, not a zip archive; LoadLegacyTorchStateDict).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "simnas/data/torch_save.h"

namespace simnas {

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
