// CIFAR-10 binary records (1 label byte + 3072 pixel bytes, planar RGB 32x32), as in the
// official cifar-10-batches-bin files and the 640-image sample the proxies use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace simnas {

struct ImageSet {
  int count = 0;
  std::vector<std::uint8_t> labels;  // count
  std::vector<std::uint8_t> pixels;  // count x 3 x 32 x 32, planar RGB, row-major
};

inline constexpr int kCifarRecordBytes = 1 + 3 * 32 * 32;

// Throws DataError when the size is not a whole number of records or a label is not < 10.
ImageSet LoadCifarImages(const std::filesystem::path& path);

}  // namespace simnas
