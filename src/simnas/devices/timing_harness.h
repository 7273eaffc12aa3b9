// The one timing harness of the live devices (`local` with LibTorch, `opencv` with OpenCV
// DNN): a runtime supplies a Runner (one forward pass of a fixed reference network, one of the
// network being measured), the harness supplies the statistic and the noise control.
//
// The statistic: the latency is the median, over samples, of the time per forward pass, with
// a 95% confidence interval of that median.
// - A sample times a loop of forward passes at least `sample_ms` long (the number of passes is
//   calibrated per network after warm-up, as Google Benchmark scales iterations to a minimum
//   time), so timer and scheduler jitter of single passes is averaged inside the sample.
// - Samples are added until the interval of the median (order statistics: the ranks a
//   Binomial(n, 1/2) puts 2.5% beyond on each side, exact for any distribution) lies within
//   `tolerance` of the median on both sides, with at least `repeats` samples and `min_time_ms`
//   of timed work; when that is not reached within `max_wait_s` (the time cap, waiting
//   included), Measure refuses with DeviceError saying how wide the interval was and what to
//   change. The interval is a property of the estimate: it narrows with more samples, however
//   much single passes jitter.
// Noise control, for a virtual machine whose speed drifts over seconds:
// - reference bracketing: every sample is preceded and followed by a timing of the reference
//   network (a loop of about `reference_ms`, after one untimed pass that re-warms it: right
//   after another network it runs cold); a sample counts only when both ran within
//   `quiet_tolerance` of the machine's quiet speed (a sample taken while the machine was slow
//   does not count);
// - the CPU share: the timed thread's CPU time is read with the wall time around every loop
//   (target and reference); a sample counts only when the thread ran on the CPU for at least
//   `on_cpu` of the wall time of the sample and of both its references. A loop that shared its
//   core with another process (time-sliced) is not a measurement of the network, whatever the
//   reference says: a process that learned its quiet speed while the machine was overloaded
//   would otherwise normalize a many-times-too-slow loop to itself;
// - normalization (`normalize`): each counted sample is divided by the mean of its two
//   reference timings and multiplied by the quiet speed, so a drift of the machine's speed that
//   slows the reference and the target alike cancels; the latency is the network's at the quiet
//   speed;
// - the quiet speed is learned once and then kept: the fastest reference timing of the first
//   `learn_ms` (after a spin-up), remembered across processes in a JSON file (per device
//   fingerprint, with the time it was learned and the reference loop's length) for
//   `memory_window_s`. Every measurement of this process and of the processes after it within
//   that time normalizes to the same speed, so they agree whatever speed the host runs at
//   meanwhile: the fastest timing of a window would keep falling as timings accumulate, and each
//   process would normalize to another speed. It is learned afresh when the memory is older,
//   when every reference timing at a process's start runs more than `quiet_tolerance` slower or
//   faster than it (the host changed: another machine under the same name, a new power
//   setting), and within a process when no reference timing ran inside the band for
//   `reference_window_s` (then the fastest timing of that window).
//
// Time comes from a Clock, so that all of this is tested deterministically with a fake clock
// and a fake runner (tests/timing_harness_test.cpp).
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "simnas/devices/device.h"

namespace simnas {

struct TimingOptions {
  int warmup = 5;              // forward passes before the calibration
  int repeats = 20;            // at least this many samples...
  double min_time_ms = 0;      // ...and at least this much timed work in them
  double sample_ms = 10;       // each sample: a loop of passes at least this long
  double tolerance = 0.03;     // the 95% interval of the median within +-tolerance of it
  double max_wait_s = 20;      // the time cap of one measurement (calibration and waiting included)
  double quiet_tolerance = 0.75;  // a sample counts when the reference ran at most this much slower
  double on_cpu = 0.9;  // ...and the timed thread ran at least this share of every loop's wall time
  bool normalize = true;       // divide each sample by its reference timing (see above)
  // A host whose reference runs outside the quiet band for this long changed speed for good:
  // the quiet speed is relearned from this window's fastest timing.
  double reference_window_s = 90;
  // A quiet speed counts this long after it was learned (by this process or an earlier one).
  double memory_window_s = 3600;
  double reference_ms = 2;     // each reference timing: a loop of the reference this long
  double spin_up_ms = 300;     // reference runs before the first timing (bring the core up to speed)
  // Without a remembered quiet speed, reference timings for this long before the first sample.
  double learn_ms = 1000;
};

class TimingClock {
 public:
  virtual ~TimingClock() = default;
  // A monotonic time in ms, for durations.
  virtual double NowMs() = 0;
  // Seconds since the Unix epoch, for the quiet speed's window (compared across processes).
  virtual double UnixSeconds() = 0;
  // The calling thread's CPU time in ms (any origin): compared with NowMs, the share of a loop's
  // wall time the thread was on the CPU.
  virtual double ThreadCpuMs() = 0;
};

// steady_clock, system_clock and the thread's CPU-time clock.
class SystemTimingClock : public TimingClock {
 public:
  double NowMs() override;
  double UnixSeconds() override;
  double ThreadCpuMs() override;
};
// The one SystemTimingClock the live devices share (stateless; outlives every device).
TimingClock& SystemClock();

class TimingRunner {
 public:
  virtual ~TimingRunner() = default;
  virtual void RunReference() = 0;  // one inference of the reference network
  virtual void RunTarget() = 0;     // one inference of the network being measured
};

// Where the quiet speed is remembered across processes: a JSON file
// {key: {"ms", "time", "passes"}} (the reference's time per pass, when it was seen, the passes
// of the loop that timed it).
struct RememberedReference {
  std::filesystem::path file;
  std::string key;  // the device's fingerprint
};

// The confidence interval of the median of `values` by order statistics: the k-th smallest and
// k-th largest values, k the largest rank with P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2.
// Nullopt when there are too few values for that confidence (fewer than 6 at 95%).
std::optional<std::pair<double, double>> MedianInterval(std::vector<double> values, double confidence = 0.95);

class TimingHarness {
 public:
  // `device` names the device in error messages (its spec). No memory: this process learns
  // the quiet speed itself.
  TimingHarness(TimingOptions options, std::string device, TimingClock& clock,
                std::optional<RememberedReference> memory = std::nullopt);

  // Times runner.RunTarget() with the statistic above; `what` names the measured network in
  // errors. Returns the median time per pass (latency_ms), its 95% interval (ci_low_ms,
  // ci_high_ms), the samples counted, the passes per sample, repeats = samples x passes, and
  // spread = the samples' interquartile range / median. Throws DeviceError when the interval
  // stays wider than the tolerance at the time cap, Interrupted when the user asked. The first
  // call also learns the reference's speed (runner.RunReference()); the same reference network
  // must be used on every call.
  Measurement Measure(TimingRunner& runner, const std::string& what);

  const TimingOptions& options() const { return options_; }
  // The quiet speed (reference ms per pass) that samples are normalized to: the learned one (see
  // above), or while it is being learned the fastest timing so far; <= 0 before the first timing.
  double QuietReference();

 private:
  // A loop's time per pass (ms) and the share of its wall time the thread was on the CPU.
  struct Timed {
    double ms;
    double on_cpu;
  };
  // One reference timing (a loop of reference_passes_), added to the history.
  Timed TimeReference(TimingRunner& runner);
  // A loop of `passes` target passes.
  Timed TimeTarget(TimingRunner& runner, int passes);
  // A loop of `passes` calls of `pass`.
  Timed TimeLoop(int passes, const std::function<void()>& pass);
  void LoadRemembered();
  void SaveRemembered();

  TimingOptions options_;
  std::string device_;
  TimingClock* clock_;
  std::optional<RememberedReference> memory_;
  bool reference_known_ = false;
  int reference_passes_ = 0;  // passes per reference timing (fixed once known)
  // (seconds since the epoch, ms) of the reference timings that may be the fastest of the last
  // reference_window_s, oldest first.
  std::deque<std::pair<double, double>> history_;
  // (seconds since the epoch when learned, ms) of the quiet speed, once learned or remembered.
  std::optional<std::pair<double, double>> quiet_;
  double last_in_band_s_ = 0;  // when a reference timing last ran within the band of quiet_
  std::pair<double, double> saved_{0, 0};  // last (time, ms) written to the memory file
};

// "host|cpu model|N cores": the machine part of a live device's fingerprint.
std::string MachineDescription();

}  // namespace simnas
