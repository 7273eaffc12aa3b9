#include "simnas/core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/shipped_files.h"

namespace simnas {
namespace fs = std::filesystem;

FileLock::FileLock(const fs::path& lock_file, const std::string& what) : path_(lock_file) {
  RequireNotShipped(lock_file);
  std::error_code ec;
  if (lock_file.has_parent_path()) fs::create_directories(lock_file.parent_path(), ec);
  if (ec) throw Error(fmt::format("cannot create directory {}: {}", lock_file.parent_path().string(), ec.message()));
  // O_CLOEXEC: a device program must never inherit (and so keep) the lock.
  fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error(fmt::format("{}: cannot create its lock file {} ({})", what, lock_file.string(), std::strerror(errno)));
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
      throw Error(fmt::format("{} is in use by another simnas process ({}lock {})", what, holder, lock_file.string()));
    }
    throw Error(fmt::format("cannot lock {}: {}", lock_file.string(), std::strerror(err)));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    // Emptied, not removed: removing a lock file races with a process about to lock it.
    [[maybe_unused]] const int rc = ::ftruncate(fd_, 0);
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
