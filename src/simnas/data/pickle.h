// Reading `torch.save` files (zip archive with a pickled Python object) as published by
// HELP, through LibTorch's pickle loader. The interface is torch-free.
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
