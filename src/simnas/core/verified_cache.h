// Files simnas can make again (exported models, computed proxy values), kept in the cache
// folder and checked before every reuse. Beside each such FILE, FILE.check holds one line:
//   "<SHA-256 of FILE's bytes> <key>"
// where the key names what the file was made for (the architecture and every option that
// changes it). A file is reused only when its check names the key asked for and matches its
// bytes; a file that was truncated, edited, or replaced by another one (even together with that
// one's check) fails the check, and the caller makes it again. Both files are written atomically,
// the file first, then its check: a crash in between leaves a file without a matching check,
// which is made again. Concurrent writers of the same key write the same bytes, so either's
// pair is valid.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace simnas {

// The file that holds `file`'s check (FILE.check).
std::filesystem::path CacheCheckFile(const std::filesystem::path& file);

// The bytes of `file` when its check names `key` and matches them; nullopt when the file or its
// check is missing, unreadable, for another key, or does not match.
std::optional<std::string> ReadVerifiedCacheFile(const std::filesystem::path& file, std::string_view key);

// Writes `bytes` to `file`, then its check for `key`, both atomically (core/file_util.h).
// Throws Error naming the file that could not be written.
void WriteVerifiedCacheFile(const std::filesystem::path& file, std::string_view key, std::string_view bytes);

}  // namespace simnas
