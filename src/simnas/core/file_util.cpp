#include "simnas/core/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "simnas/core/error.h"
#include "simnas/core/shipped_files.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace fs = std::filesystem;

void WriteFileAtomically(const fs::path& path, std::string_view content) {
  if (path.empty() || !path.has_filename()) {
    throw Error(fmt::format("cannot write {}: the path names no file", Quoted(path.string())));
  }
  RequireNotShipped(path);
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(fmt::format("cannot write {}: it is a directory", path.string()));
  fs::create_directories(parent, ec);
  if (ec) throw Error(fmt::format("cannot create directory {}: {}", parent.string(), ec.message()));
  std::random_device entropy;
  const fs::path tmp = parent / fmt::format(".{}.{}-{:x}.tmp", path.filename().string(), getpid(), entropy());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    // The file is replaced by a new one made beside it: say so (the target itself may exist).
    throw Error(fmt::format("cannot write {}: cannot create a file in {} to replace it with ({})", path.string(),
                            parent.string(), std::strerror(errno)));
  }
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fs::remove(tmp, ec);
      throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const int sync_rc = ::fsync(fd);
  const int sync_err = errno;
  const int close_rc = ::close(fd);
  if (sync_rc != 0 || close_rc != 0) {
    const int err = sync_rc != 0 ? sync_err : errno;
    fs::remove(tmp, ec);
    throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();  // before remove() reuses ec
    fs::remove(tmp, ec);
    throw Error(fmt::format("cannot replace {}: {}", path.string(), why));
  }
}

std::vector<char> ReadFileBytes(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw DataError(fmt::format("{}: is a directory, expected a file", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open ({})", path.string(),
                                       fs::exists(path) ? "unreadable" : "no such file"));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw DataError(fmt::format("{}: read error", path.string()));
  return bytes;
}

std::string ReadFile(const fs::path& path) {
  const std::vector<char> bytes = ReadFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 failed (OpenSSL)");
  }
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string Sha256OfFile(const fs::path& path) {
  const std::vector<char> bytes = ReadFileBytes(path);
  try {
    return Sha256Hex(std::string_view(bytes.data(), bytes.size()));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace simnas
