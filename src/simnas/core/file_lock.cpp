#include "simnas/core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/shipped_files.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

// Whether `fd` is still the file at `path` (same device and inode): a releasing holder may have
// removed the file between this process's open() and its flock().
bool IsTheFileAt(int fd, const fs::path& path) {
  struct stat held {}, named {};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0) return false;
  return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

}  // namespace

FileLock::FileLock(const fs::path& lock_file, const std::string& what) : path_(lock_file) {
  RequireNotShipped(lock_file);
  std::error_code ec;
  if (lock_file.has_parent_path()) fs::create_directories(lock_file.parent_path(), ec);
  if (ec) throw Error(fmt::format("cannot create directory {}: {}", lock_file.parent_path().string(), ec.message()));
  // The file is removed when the lock is released, so a lock taken on a file that its holder
  // removed meanwhile locks nothing: then the file is opened again (the loop ends as soon as the
  // file this process locked is the one at the path; each turn means another process took and
  // released the lock meanwhile, so a bound only guards against a path that never holds still).
  for (int attempt = 0;; ++attempt) {
    if (attempt == 1000) {
      throw Error(
          fmt::format("cannot lock {}: the file keeps being replaced while it is locked", lock_file.string()));
    }
    // O_CLOEXEC: a device program must never inherit (and so keep) the lock.
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error(
          fmt::format("{}: cannot create its lock file {} ({})", what, lock_file.string(), std::strerror(errno)));
    }
    int rc;
    do {
      rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      std::string holder;
      if (err == EWOULDBLOCK) {
        char buf[32] = {};
        const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
        long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
        if (pid > 0) holder = fmt::format("pid {}; ", pid);
      }
      ::close(fd_);
      fd_ = -1;
      if (err == EWOULDBLOCK) {
        throw Error(
            fmt::format("{} is in use by another simnas process ({}lock {})", what, holder, lock_file.string()));
      }
      throw Error(fmt::format("cannot lock {}: {}", lock_file.string(), std::strerror(err)));
    }
    if (IsTheFileAt(fd_, lock_file)) break;
    ::close(fd_);  // removed by its last holder: a stale inode
    fd_ = -1;
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    // Removed while still held, then released: a process that opened the file before the removal
    // gets the lock on a removed inode and opens the path again (the constructor's loop), so two
    // holders never overlap and no lock file is left behind.
    [[maybe_unused]] const int rc = ::unlink(path_.c_str());
    ::close(fd_);
  }
}

std::string FileNameSafe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.') out += c;
    else out += fmt::format("%{:02X}", u);
  }
  if (out.empty() || out == "." || out == "..") out = "%" + out;
  return out;
}

}  // namespace simnas
