// Reading the `torch.save` files HELP published (a zip archive with a pickled Python object)
// into the shapes the data layer uses, through the LibTorch-free reader of torch_save.h.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace simnas {

// A pickled list of numbers (ints or floats). Throws DataError naming the file and the
// first entry that is not a number.
std::vector<double> LoadPickledNumberList(const std::filesystem::path& path);

// A pickled dict {str: int}. Throws DataError naming the file on any other content.
std::vector<std::pair<std::string, long long>> LoadPickledStringIntDict(const std::filesystem::path& path);

// A pickled list of lists of ints (e.g. HELP's FBNet arch.pt). Throws DataError naming the file
// and the first entry that is not a list of ints.
std::vector<std::vector<long long>> LoadPickledIntLists(const std::filesystem::path& path);

}  // namespace simnas
