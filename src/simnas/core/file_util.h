// Small file helpers. Every file simnas writes goes through WriteFileAtomically, so that a
// crash or kill leaves either the old file or the new one, never a torn one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

// Writes `content` to `path` via a temporary file in the same directory, fsync and rename.
// Creates missing parent directories. Throws Error naming the path on failure, and for a path
// among simnas's shipped files (core/shipped_files.h).
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content);

// Reads a whole file. Throws DataError naming the path when it is missing or unreadable.
std::string ReadFile(const std::filesystem::path& path);
std::vector<char> ReadFileBytes(const std::filesystem::path& path);

// Hex SHA-256 of a file's bytes (used to check fetched data against published files).
std::string Sha256OfFile(const std::filesystem::path& path);
// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace simnas
