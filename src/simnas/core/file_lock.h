// One writer at a time: an advisory lock (flock(2)) on a lock file, held while the object
// lives. The kernel releases it when the process ends however it ends (kill -9 included),
// so a lock is never stale. The file holds the pid of its holder, for the refusal message.
// The holder removes the file when it releases the lock (a process killed with -9 leaves its
// file, free, for the next holder to take and remove); a process that locked a file its holder
// removed meanwhile notices (the path no longer names that file) and opens the path again.
#pragma once

#include <filesystem>
#include <string>

namespace simnas {

class FileLock {
 public:
  // Takes the lock at `lock_file` (created with its parent folders if needed) or throws
  // Error: "<what> is in use by another simnas process (pid N; lock <file>)".
  FileLock(const std::filesystem::path& lock_file, const std::string& what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// A name safe for a file: letters, digits, '-', '_' and '.' kept, anything else as %XX.
std::string FileNameSafe(const std::string& text);

}  // namespace simnas
