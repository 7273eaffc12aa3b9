#include "simnas/devices/timing_harness.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

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

double SystemTimingClock::ThreadCpuMs() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
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

std::optional<std::pair<double, double>> MedianInterval(std::vector<double> values, double confidence) {
  const auto n = static_cast<long>(values.size());
  const double tail = (1 - confidence) / 2;
  if (n < 1 || tail <= 0) return std::nullopt;
  // k = the number of values below the interval's lower end + 1: the largest k with
  // P(X <= k - 1) <= tail, X ~ Binomial(n, 1/2) (pmf summed in log space: n may be large).
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double log_n_fact = std::lgamma(static_cast<double>(n) + 1);
  double cdf = 0;
  long k = 0;
  for (long j = 0; j <= n / 2; ++j) {
    cdf += std::exp(log_n_fact - std::lgamma(static_cast<double>(j) + 1) -
                    std::lgamma(static_cast<double>(n - j) + 1) + log_half_n);
    if (cdf > tail) break;
    k = j + 1;
  }
  if (k < 1) return std::nullopt;
  std::sort(values.begin(), values.end());
  return std::make_pair(values[static_cast<std::size_t>(k - 1)], values[static_cast<std::size_t>(n - k)]);
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
    // {"ms": the quiet speed per pass, "time": when it was learned, "passes": of the reference
    // loop}; anything else (an older format, timed otherwise) is ignored.
    if (!e.is_object() || !e.contains("ms") || !e.contains("time") || !e.contains("passes") || !e["ms"].is_number() ||
        !e["time"].is_number() || !e["passes"].is_number_integer()) {
      return;
    }
    const double ms = e["ms"].get<double>();
    const double time = e["time"].get<double>();
    const int passes = e["passes"].get<int>();
    const double now = clock_->UnixSeconds();
    if (ms > 0 && passes >= 1 && time <= now && time >= now - options_.memory_window_s) {
      quiet_.emplace(time, ms);
      reference_passes_ = passes;  // the same loop, so that the speeds compare
    }
  } catch (const Error&) {
    // No memory yet: this process learns the speed itself.
  }
}

void TimingHarness::SaveRemembered() {
  if (!memory_ || !quiet_ || *quiet_ == saved_) return;  // the file already says so: no write per measurement
  nlohmann::json j = nlohmann::json::object();
  try {
    j = nlohmann::json::parse(ReadFile(memory_->file), nullptr, false);
    if (!j.is_object()) j = nlohmann::json::object();
  } catch (const Error&) {
  }
  j[memory_->key] = {{"ms", quiet_->second}, {"time", quiet_->first}, {"passes", reference_passes_}};
  try {
    WriteFileAtomically(memory_->file, j.dump(2));
    saved_ = *quiet_;
  } catch (const Error&) {
    // A read-only home only costs the cross-process memory of the reference speed.
  }
}

double TimingHarness::QuietReference() {
  const double now = clock_->UnixSeconds();
  // Keep at least the newest timing: the window never empties while measuring.
  while (history_.size() > 1 && history_.front().first < now - options_.reference_window_s) history_.pop_front();
  const double fastest = history_.empty() ? 0 : history_.front().second;
  // Too old, or outside the band for a whole window (the host changed speed for good): the
  // window's fastest timing from now on.
  if (quiet_ && !history_.empty() &&
      (quiet_->first < now - options_.memory_window_s || now - last_in_band_s_ >= options_.reference_window_s)) {
    spdlog::debug("device {}: the quiet speed of {:.4f} ms is too old or the reference ran outside its band for "
                  "{:.0f} s; it is now {:.4f} ms",
                  device_, quiet_->second, options_.reference_window_s, fastest);
    quiet_.emplace(now, fastest);
    last_in_band_s_ = now;
  }
  return quiet_ ? quiet_->second : fastest;
}

TimingHarness::Timed TimingHarness::TimeReference(TimingRunner& runner) {
  // Re-warm: right after another network the reference's first pass runs cold (its weights
  // and buffers evicted; measured with OpenCV DNN: timings 8-16% slower than the same loop
  // warm), which would read as a slow machine.
  runner.RunReference();
  const Timed timed = TimeLoop(reference_passes_, [&] { runner.RunReference(); });
  // The history keeps only timings that could become the window's fastest, oldest first.
  const double now = clock_->UnixSeconds();
  while (!history_.empty() && history_.back().second >= timed.ms) history_.pop_back();
  history_.emplace_back(now, timed.ms);
  if (quiet_ && timed.ms <= (1 + options_.quiet_tolerance) * quiet_->second) last_in_band_s_ = now;
  return timed;
}

TimingHarness::Timed TimingHarness::TimeTarget(TimingRunner& runner, int passes) {
  return TimeLoop(passes, [&] { runner.RunTarget(); });
}

TimingHarness::Timed TimingHarness::TimeLoop(int passes, const std::function<void()>& pass) {
  const double t0 = clock_->NowMs(), cpu0 = clock_->ThreadCpuMs();
  for (int i = 0; i < passes; ++i) pass();
  const double wall = clock_->NowMs() - t0;
  return {wall / passes, wall > 0 ? (clock_->ThreadCpuMs() - cpu0) / wall : 1.0};
}

namespace {

// Passes for a loop of at least `loop_ms`, given one pass of `pass_ms`.
int PassesFor(double loop_ms, double pass_ms) {
  return static_cast<int>(std::clamp(std::ceil(loop_ms / std::max(pass_ms, 1e-6)), 1.0, 1e6));
}

}  // namespace

Measurement TimingHarness::Measure(TimingRunner& runner, const std::string& what) {
  const double started = clock_->NowMs();
  const auto check_interrupt = [&] {
    if (InterruptRequested()) throw Interrupted(fmt::format("interrupted while measuring {} on {}", what, device_));
  };
  if (!reference_known_) {
    // Bring the core up to speed, then learn how fast the reference can run.
    while (clock_->NowMs() - started < options_.spin_up_ms) runner.RunReference();
    LoadRemembered();
    if (reference_passes_ < 1) {
      const double t0 = clock_->NowMs();
      runner.RunReference();
      reference_passes_ = PassesFor(options_.reference_ms, clock_->NowMs() - t0);
    }
    // Without a remembered speed, time the reference for a while before the first sample: a
    // process often starts in the host's slow spell, and the quiet speed every sample is
    // normalized to must not be learned from that.
    const double learn_started = clock_->NowMs();
    double fastest_now = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 5; ++i) {
      check_interrupt();
      fastest_now = std::min(fastest_now, TimeReference(runner).ms);
    }
    if (quiet_ && (fastest_now > (1 + options_.quiet_tolerance) * quiet_->second ||
                   (1 + options_.quiet_tolerance) * fastest_now < quiet_->second)) {
      // Every timing far slower, or far faster, than the remembered speed: the host changed
      // (another machine under the same name, a new power setting); its speed is learned afresh.
      spdlog::debug("device {}: the reference runs at {:.4f} ms, over {:.0f}% off the remembered {:.4f} ms; "
                    "relearning the quiet speed",
                    device_, fastest_now, 100 * options_.quiet_tolerance, quiet_->second);
      quiet_.reset();
    }
    if (!quiet_) {
      while (clock_->NowMs() - learn_started < options_.learn_ms) {
        check_interrupt();
        TimeReference(runner);
      }
      quiet_.emplace(clock_->UnixSeconds(), QuietReference());
    }
    last_in_band_s_ = clock_->UnixSeconds();
    reference_known_ = true;
  }
  // Warm-up, then the passes per sample from the fastest of three single passes.
  for (int i = 0; i < options_.warmup; ++i) runner.RunTarget();
  double one = 1e300;
  for (int i = 0; i < 3; ++i) one = std::min(one, TimeTarget(runner, 1).ms);
  const int passes = PassesFor(options_.sample_ms, one);

  // Counted samples: target ms per pass and the mean of their two reference timings.
  std::vector<double> target_ms, reference_ms;
  int discarded = 0;
  double slowest_discarded = 0;  // reference / quiet of the slowest discarded sample
  int preempted = 0;             // samples not counted because the thread shared its core
  double least_on_cpu = 1;       // the smallest CPU share of those
  double timed_ms = 0;
  const double cap_ms = 1000 * options_.max_wait_s;
  Timed before = TimeReference(runner);
  double half_width = std::numeric_limits<double>::infinity();
  std::vector<double> values;  // the counted samples as reported (normalized or not)
  double quiet = QuietReference();
  const auto report = [&] {
    values.clear();
    for (std::size_t i = 0; i < target_ms.size(); ++i) {
      values.push_back(options_.normalize ? target_ms[i] * quiet / reference_ms[i] : target_ms[i]);
    }
  };
  while (true) {
    check_interrupt();
    const Timed target = TimeTarget(runner, passes);
    const Timed after = TimeReference(runner);
    quiet = QuietReference();
    const double slow = std::max(before.ms, after.ms) / quiet;
    const double on_cpu = std::min({before.on_cpu, target.on_cpu, after.on_cpu});
    const double t = target.ms;
    // One line per sample with -v: enough to replay the stopping rule offline with other
    // settings (bench/live_timing.py replay).
    spdlog::debug("timing sample: at {:.1f} ms, reference {:.6f} then {:.6f} ms, target {:.6f} ms x {}, quiet {:.6f} ms, "
                  "on cpu {:.3f}",
                  clock_->NowMs() - started, before.ms, after.ms, t, passes, quiet, on_cpu);
    if (on_cpu < options_.on_cpu) {
      ++preempted;
      least_on_cpu = std::min(least_on_cpu, on_cpu);
    } else if (slow <= 1 + options_.quiet_tolerance) {
      target_ms.push_back(t);
      reference_ms.push_back((before.ms + after.ms) / 2);
      timed_ms += t * passes;
      if (static_cast<int>(target_ms.size()) >= std::max(options_.repeats, 1)) {
        report();
        const double median = Median(values);
        if (const auto interval = MedianInterval(values)) {
          half_width = std::max(median - interval->first, interval->second - median) / median;
          if (half_width <= options_.tolerance && timed_ms >= options_.min_time_ms * (1 - 1e-9)) {
            SaveRemembered();
            spdlog::debug("timing {} on {}: {} samples of {} passes counted, {} not (quiet {:.4f} ms), +-{:.2f}%, {:.2f} s",
                          what, device_, target_ms.size(), passes, discarded, quiet, 100 * half_width,
                          (clock_->NowMs() - started) / 1000);
            Measurement m;
            m.latency_ms = median;
            m.spread = (Percentile(values, 75) - Percentile(values, 25)) / median;
            m.samples = static_cast<int>(values.size());
            m.passes = passes;
            m.repeats = m.samples * passes;
            m.ci_low_ms = interval->first;
            m.ci_high_ms = interval->second;
            return m;
          }
        }
      }
    } else {
      ++discarded;
      slowest_discarded = std::max(slowest_discarded, slow);
    }
    before = after;
    if (clock_->NowMs() - started >= cap_ms) break;
  }
  SaveRemembered();
  std::string not_counted =
      discarded == 0 ? ""
                     : fmt::format("; {} more sample(s) taken while the reference ran over {:.0f}% slower than its quiet "
                                   "{:.3f} ms (up to {:.0f}% slower) did not count",
                                   discarded, 100 * options_.quiet_tolerance, quiet, 100 * (slowest_discarded - 1));
  if (preempted > 0) {
    not_counted += fmt::format("; {} sample(s) during which another process shared the core (the timed thread on the "
                               "CPU for as little as {:.0f}% of the time, under on_cpu={:.2f}) did not count",
                               preempted, 100 * least_on_cpu, options_.on_cpu);
  }
  const int counted = static_cast<int>(target_ms.size());
  if (counted < std::max(options_.repeats, 6) || !std::isfinite(half_width)) {
    throw DeviceError(fmt::format(
        "device {}: the machine stayed busy while measuring {}: {} sample(s) of {} passes counted in the {:.0f} s cap, "
        "too few for an interval{}; measure when the machine is quieter, or raise the cap (max_wait={:.0f})",
        device_, what, counted, passes, options_.max_wait_s, not_counted, 2 * options_.max_wait_s));
  }
  throw DeviceError(fmt::format(
      "device {}: the 95% interval of the median of {} stayed +-{:.1f}% wide (tolerance +-{:.1f}%) after {} samples "
      "of {} passes in the {:.0f} s cap{}; raise the cap (max_wait={:.0f}) or the tolerance (tolerance={:.2f}), or "
      "measure when the machine is quieter",
      device_, what, 100 * half_width, 100 * options_.tolerance, counted, passes, options_.max_wait_s, not_counted,
      2 * options_.max_wait_s, std::max(options_.tolerance * 2, half_width * 1.1)));
}

}  // namespace simnas
