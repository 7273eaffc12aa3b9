#include "simnas/devices/timing_harness.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"

namespace simnas {

double SystemTimingClock::NowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double SystemTimingClock::UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TimingClock& SystemClock() {
  static SystemTimingClock clock;
  return clock;
}

std::string MachineDescription() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::string cpu = "unknown-cpu";
  std::ifstream info("/proc/cpuinfo");
  std::string line;
  while (std::getline(info, line)) {
    if (line.rfind("model name", 0) == 0) {
      if (const auto colon = line.find(':'); colon != std::string::npos) cpu = std::string(Trim(line.substr(colon + 1)));
      break;
    }
  }
  return fmt::format("{}|{}|{} cores", host, cpu, std::thread::hardware_concurrency());
}

TimingHarness::TimingHarness(TimingOptions options, std::string device, TimingClock& clock,
                             std::optional<RememberedReference> memory)
    : options_(options), device_(std::move(device)), clock_(&clock), memory_(std::move(memory)) {}

void TimingHarness::LoadRemembered() {
  if (!memory_) return;
  try {
    const nlohmann::json j = nlohmann::json::parse(ReadFile(memory_->file), nullptr, false);
    if (!j.is_object() || !j.contains(memory_->key)) return;
    const nlohmann::json& e = j[memory_->key];
    // {"ms": fastest, "time": when it was seen}; anything else (an older format) is ignored.
    if (!e.is_object() || !e.contains("ms") || !e.contains("time") || !e["ms"].is_number() || !e["time"].is_number()) {
      return;
    }
    const double ms = e["ms"].get<double>();
    const double time = e["time"].get<double>();
    if (ms > 0 && time <= clock_->UnixSeconds()) history_.emplace_back(time, ms);
  } catch (const Error&) {
    // No memory yet: this process learns the speed itself.
  }
}

void TimingHarness::SaveRemembered() {
  if (!memory_ || QuietReference() <= 0) return;
  const auto fastest = std::min_element(history_.begin(), history_.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
  if (*fastest == saved_) return;  // the file already says so: no write per measurement
  nlohmann::json j = nlohmann::json::object();
  try {
    j = nlohmann::json::parse(ReadFile(memory_->file), nullptr, false);
    if (!j.is_object()) j = nlohmann::json::object();
  } catch (const Error&) {
  }
  j[memory_->key] = {{"ms", fastest->second}, {"time", fastest->first}};
  try {
    WriteFileAtomically(memory_->file, j.dump(2));
    saved_ = *fastest;
  } catch (const Error&) {
    // A read-only home only costs the cross-process memory of the reference speed.
  }
}

double TimingHarness::QuietReference() {
  const double oldest = clock_->UnixSeconds() - options_.reference_window_s;
  // Keep at least the newest timing: the window never empties while measuring.
  while (history_.size() > 1 && history_.front().first < oldest) history_.pop_front();
  double best = 0;
  for (const auto& [time, ms] : history_) best = best > 0 ? std::min(best, ms) : ms;
  return best;
}

double TimingHarness::TimeReference(TimingRunner& runner, int runs) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const double t0 = clock_->NowMs();
    runner.RunReference();
    best = std::min(best, clock_->NowMs() - t0);
  }
  // The history keeps only timings that could become the window's minimum.
  const double now = clock_->UnixSeconds();
  while (!history_.empty() && history_.back().second >= best) history_.pop_back();
  history_.emplace_back(now, best);
  return best;
}

double TimingHarness::TimeTarget(TimingRunner& runner) {
  const double t0 = clock_->NowMs();
  runner.RunTarget();
  return clock_->NowMs() - t0;
}

Measurement TimingHarness::Measure(TimingRunner& runner, const std::string& what) {
  if (!reference_known_) {
    // Bring the core up to speed, then learn how fast the reference can run.
    const double t0 = clock_->NowMs();
    while (clock_->NowMs() - t0 < options_.spin_up_ms) runner.RunReference();
    LoadRemembered();
    TimeReference(runner, 20);
    reference_known_ = true;
  }
  double best_spread = 0;
  for (int attempt = 0; attempt < options_.tries; ++attempt) {
    std::vector<double> warm;
    for (int i = 0; i < std::max(options_.warmup, 1); ++i) warm.push_back(TimeTarget(runner));
    // Enough runs for `min_time_ms` of timed work: small networks get more repeats.
    const int repeats = std::clamp(static_cast<int>(std::ceil(options_.min_time_ms / std::max(Median(warm), 1e-6))),
                                   options_.repeats, std::max(options_.repeats, 2000));
    const int block = std::max(3, std::min(10, repeats / 3));
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(repeats));
    const double started = clock_->NowMs();
    while (static_cast<int>(times.size()) < repeats) {
      if (InterruptRequested()) throw Interrupted(fmt::format("interrupted while measuring {} on {}", what, device_));
      const double ref = TimeReference(runner, 3);
      const double quiet = QuietReference();
      if (ref > quiet * (1 + options_.quiet_tolerance)) {
        if (clock_->NowMs() - started > 1000 * options_.max_wait_s) {
          throw DeviceError(fmt::format("device {}: the machine stayed busy for {:.0f} s (reference network {:.3f} ms, "
                                        "{:.0f}% slower than its best {:.3f} ms); no quiet moment to measure {}",
                                        device_, options_.max_wait_s, ref, 100 * (ref / quiet - 1), quiet, what));
        }
        for (int i = 0; i < 3; ++i) runner.RunTarget();  // stay busy: idling slows the core down
        continue;
      }
      const int n = std::min(block, repeats - static_cast<int>(times.size()));
      std::vector<double> block_times;
      for (int i = 0; i < n; ++i) block_times.push_back(TimeTarget(runner));
      // The block counts only if the machine was still quiet when it ended.
      const double after = TimeReference(runner, 3);
      if (after <= QuietReference() * (1 + options_.quiet_tolerance)) {
        times.insert(times.end(), block_times.begin(), block_times.end());
      }
    }
    const double median = Median(times);
    const double spread = (Percentile(times, 75) - Percentile(times, 25)) / median;
    if (spread <= options_.max_spread) {
      SaveRemembered();
      return Measurement{median, spread, repeats};
    }
    best_spread = attempt == 0 ? spread : std::min(best_spread, spread);
  }
  throw DeviceError(fmt::format("device {}: timings of {} stayed too noisy (relative IQR {:.1f}% > {:.1f}% after {} "
                                "tries); is the machine busy?",
                                device_, what, 100 * best_spread, 100 * options_.max_spread, options_.tries));
}

}  // namespace simnas
