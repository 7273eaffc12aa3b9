#include "simnas/core/verified_cache.h"

#include <fmt/format.h>

#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace fs = std::filesystem;

fs::path CacheCheckFile(const fs::path& file) { return fs::path(file.string() + ".check"); }

std::optional<std::string> ReadVerifiedCacheFile(const fs::path& file, std::string_view key) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || !fs::is_regular_file(CacheCheckFile(file), ec)) return std::nullopt;
  try {
    const std::string check = ReadFile(CacheCheckFile(file));
    std::string bytes = ReadFile(file);
    if (Trim(check) != fmt::format("{} {}", Sha256Hex(bytes), key)) return std::nullopt;
    return bytes;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void WriteVerifiedCacheFile(const fs::path& file, std::string_view key, std::string_view bytes) {
  WriteFileAtomically(file, bytes);
  WriteFileAtomically(CacheCheckFile(file), fmt::format("{} {}\n", Sha256Hex(bytes), key));
}

}  // namespace simnas
