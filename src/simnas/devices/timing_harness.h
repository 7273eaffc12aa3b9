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
// - normalization (`normalize`): each counted sample is divided by the mean of its two
//   reference timings and multiplied by the quiet speed, so a drift of the machine's speed that
//   slows the reference and the target alike cancels; the latency is the network's at the quiet
//   speed;
// - the quiet speed is the fastest reference timing within the last `reference_window_s`
//   seconds, remembered across processes in a JSON file (per device fingerprint, with the time
//   it was seen and the reference loop's length), so that a process started during a slow spell
//   still recognizes it and normalizes to the same speed. Within a process the window is
//   `reference_window_s`; a remembered speed counts for `memory_window_s` (processes minutes
//   apart otherwise each relearn it, and one started in the host's slow spell would take that
//   spell for the quiet speed). A host that changed speed for good is followed once the old
//   speed leaves the window, or at once when a process finds every reference timing of its
//   start more than `quiet_tolerance` slower than the remembered speed.
//
// Time comes from a Clock, so that all of this is tested deterministically with a fake clock
// and a fake runner (tests/timing_harness_test.cpp).
#pragma once

#include <deque>
#include <filesystem>
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
  bool normalize = true;       // divide each sample by its reference timing (see above)
  // The quiet speed: the fastest reference timing this recent. Shorter than the cap times the
  // measurements in between, so a lasting change of the host's speed is followed.
  double reference_window_s = 90;
  // A quiet speed remembered by an earlier process counts this long after it was seen.
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
};

// steady_clock and system_clock.
class SystemTimingClock : public TimingClock {
 public:
  double NowMs() override;
  double UnixSeconds() override;
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
  // Fastest reference time per pass (ms) within the window (this process's timings within
  // reference_window_s, a remembered one within memory_window_s); <= 0 before the first timing.
  double QuietReference();

 private:
  // One reference timing (ms per pass over a loop of reference_passes_), added to the history.
  double TimeReference(TimingRunner& runner);
  // ms per pass over a loop of `passes` target passes.
  double TimeTarget(TimingRunner& runner, int passes);
  void LoadRemembered();
  void SaveRemembered();

  TimingOptions options_;
  std::string device_;
  TimingClock* clock_;
  std::optional<RememberedReference> memory_;
  bool reference_known_ = false;
  int reference_passes_ = 0;  // passes per reference timing (fixed once known)
  // (seconds since the epoch, ms) of reference timings within the window, oldest first.
  std::deque<std::pair<double, double>> history_;
  // (seconds since the epoch, ms) of the fastest timing an earlier process remembered, if any.
  std::optional<std::pair<double, double>> remembered_;
  std::pair<double, double> saved_{0, 0};  // last (time, ms) written to the memory file
};

// "host|cpu model|N cores": the machine part of a live device's fingerprint.
std::string MachineDescription();

}  // namespace simnas
