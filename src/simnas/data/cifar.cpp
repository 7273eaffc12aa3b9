#include "simnas/data/cifar.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"

namespace simnas {

ImageSet LoadCifarImages(const std::filesystem::path& path) {
  const std::vector<char> bytes = ReadFileBytes(path);
  if (bytes.empty() || bytes.size() % kCifarRecordBytes != 0) {
    throw DataError(fmt::format("{}: {} bytes is not a whole number of {}-byte CIFAR-10 records", path.string(),
                                bytes.size(), kCifarRecordBytes));
  }
  ImageSet set;
  set.count = static_cast<int>(bytes.size() / kCifarRecordBytes);
  set.labels.reserve(static_cast<std::size_t>(set.count));
  set.pixels.reserve(static_cast<std::size_t>(set.count) * (kCifarRecordBytes - 1));
  for (int i = 0; i < set.count; ++i) {
    const char* record = bytes.data() + static_cast<std::size_t>(i) * kCifarRecordBytes;
    const auto label = static_cast<std::uint8_t>(record[0]);
    if (label >= 10) {
      throw DataError(fmt::format("{}: record {} has label {}, expected 0-9", path.string(), i, label));
    }
    set.labels.push_back(label);
    set.pixels.insert(set.pixels.end(), reinterpret_cast<const std::uint8_t*>(record + 1),
                      reinterpret_cast<const std::uint8_t*>(record + kCifarRecordBytes));
  }
  return set;
}

}  // namespace simnas
