// The one timing harness of the live devices (`local` with LibTorch, `opencv` with OpenCV
// DNN): a runtime supplies a Runner (one forward pass of a fixed reference network, one of the
// network being measured), the harness supplies the noise control:
//
// - warm-up, then timed repeats; the median is reported with the relative interquartile
//   range (the spread); enough repeats for `min_time_ms` of timed work;
// - reference bracketing: repeats are taken in short blocks, each preceded and followed by a
//   quick timing of the reference network; a block counts only when the reference ran within
//   `quiet_tolerance` of the machine's quiet speed before and after it;
// - the quiet speed is the fastest reference run within the last `reference_window_s`
//   seconds (remembered across processes in a JSON file, per device fingerprint, with the
//   time it was seen), so that a process started during a slow spell still recognizes it, and
//   a host that changed speed for good is followed once the old speed leaves the window;
// - refusal instead of a bad number: when the machine stays busy for `max_wait_s`, or the
//   spread stays above `max_spread` for `tries` attempts, Measure throws DeviceError.
//
// Time comes from a Clock, so that all of this is tested deterministically with a fake clock
// and a fake runner (tests/timing_harness_test.cpp).
#pragma once

#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "simnas/devices/device.h"

namespace simnas {

struct TimingOptions {
  int warmup = 5;
  int repeats = 30;          // at least this many timed runs...
  double min_time_ms = 300;  // ...and at least this much timed work (more runs for small nets)
  double max_spread = 0.10;  // IQR / median
  int tries = 3;
  double quiet_tolerance = 0.10;   // accepted slowdown of the reference network
  double max_wait_s = 120;         // give up when the machine stays busy this long
  // The quiet speed: the fastest reference run this recent. Shorter than max_wait_s, so a
  // lasting change of the host's speed is followed before a measurement gives up; spikes
  // shorter than the window are waited out.
  double reference_window_s = 90;
  double spin_up_ms = 300;         // reference runs before the first timing (bring the core up to speed)
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

// Where the quiet speed is remembered across processes: a JSON file {key: {"ms", "time"}}.
struct RememberedReference {
  std::filesystem::path file;
  std::string key;  // the device's fingerprint
};

class TimingHarness {
 public:
  // `device` names the device in error messages (its spec). No memory: this process learns
  // the quiet speed itself.
  TimingHarness(TimingOptions options, std::string device, TimingClock& clock,
                std::optional<RememberedReference> memory = std::nullopt);

  // Times runner.RunTarget() under the noise control above; `what` names the measured network
  // in errors. The first call also learns the reference's speed (runner.RunReference()); the
  // same reference network must be used on every call.
  Measurement Measure(TimingRunner& runner, const std::string& what);

  const TimingOptions& options() const { return options_; }
  // Fastest reference time (ms) within the window; <= 0 before the first timing.
  double QuietReference();

 private:
  double TimeReference(TimingRunner& runner, int runs);
  double TimeTarget(TimingRunner& runner);
  void LoadRemembered();
  void SaveRemembered();

  TimingOptions options_;
  std::string device_;
  TimingClock* clock_;
  std::optional<RememberedReference> memory_;
  bool reference_known_ = false;
  // (seconds since the epoch, ms) of reference timings within the window, oldest first.
  std::deque<std::pair<double, double>> history_;
  std::pair<double, double> saved_{0, 0};  // last (time, ms) written to the memory file
};

// "host|cpu model|N cores": the machine part of a live device's fingerprint.
std::string MachineDescription();

}  // namespace simnas
