// A progress line on stderr for long work: done/total, rate and ETA. On a terminal it
// redraws one line; otherwise (logs, CI) it prints a line at most every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace simnas {

class Progress {
 public:
  // `total` items; `already_done` are items finished by an earlier (resumed) run, which
  // count toward done but not toward the rate.
  Progress(std::string label, std::int64_t total, std::int64_t already_done = 0,
           std::string unit = "items");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Advances by `n` items; `extra` is appended to the line (e.g. "reward 0.71").
  void Advance(std::int64_t n = 1, const std::string& extra = "");
  // Prints the final line.
  void Finish(const std::string& extra = "");
  double ItemsPerSecond() const;

 private:
  void Print(bool final_line, const std::string& extra);

  std::string label_;
  std::string unit_;
  std::int64_t total_;
  std::int64_t done_;
  std::int64_t start_done_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool tty_;
  bool finished_ = false;
};

}  // namespace simnas
