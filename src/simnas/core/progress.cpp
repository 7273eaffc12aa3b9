#include "simnas/core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace simnas {
namespace {

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

Progress::Progress(std::string label, std::int64_t total, std::int64_t already_done, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      done_(already_done),
      start_done_(already_done),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_),
      tty_(::isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
  if (!finished_ && tty_) std::fputc('\n', stderr);
}

double Progress::ItemsPerSecond() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return elapsed > 0 ? static_cast<double>(done_ - start_done_) / elapsed : 0.0;
}

void Progress::Advance(std::int64_t n, const std::string& extra) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (since >= (tty_ ? 0.2 : 5.0) || done_ >= total_) {
    last_print_ = now;
    Print(false, extra);
  }
}

void Progress::Finish(const std::string& extra) {
  if (finished_) return;
  Print(true, extra);
  finished_ = true;
}

void Progress::Print(bool final_line, const std::string& extra) {
  const double rate = ItemsPerSecond();
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1.0;
  const double pct = total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0;
  const std::string elapsed =
      FormatDuration(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  std::string line = fmt::format("{}: {}/{} ({:.1f}%) {:.1f} {}/s, elapsed {}, eta {}", label_, done_, total_, pct,
                                 rate, unit_, elapsed, final_line ? "0s" : FormatDuration(eta));
  if (!extra.empty()) line += "  " + extra;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace simnas
