// A device: something that can tell the latency of an architecture (space/arch.h; a device
// that knows one space only refuses another's with a DeviceError). Benchmark tables replayed,
// synthetic lookup-table devices, this machine's CPU timed live, or any external program.
// Strategies never call a Device directly: every latency they see passes through a
// ProbeSession (probe/probe_session.h), which counts the probe budget.
#pragma once

#include <algorithm>
#include <string>

#include "simnas/space/arch.h"

namespace simnas {

class LatencyTable;

struct Measurement {
  double latency_ms = 0;  // median time per forward pass (over samples for a live device)
  double spread = 0;      // relative dispersion of the samples: interquartile range / median (0 for replays)
  int repeats = 1;        // timed forward passes behind the median
  // The 95% confidence interval of the median; both 0 when the device gives none (replays,
  // external programs).
  double ci_low_ms = 0;
  double ci_high_ms = 0;
  int samples = 0;  // timed samples behind the median (0: not given)
  int passes = 0;   // forward passes per sample (0: not given)

  bool has_interval() const { return ci_high_ms > 0; }
  // The interval's larger distance from the median, relative to it (0 without an interval).
  double RelativeHalfWidth() const {
    if (!has_interval() || latency_ms <= 0) return 0;
    return std::max(latency_ms - ci_low_ms, ci_high_ms - latency_ms) / latency_ms;
  }
};

class Device {
 public:
  virtual ~Device() = default;

  // The spec that opens this device again (e.g. "table:pixel3", "local:threads=1,batch=1").
  virtual std::string Spec() const = 0;
  // Identifies the device and every setting that changes its latencies; the probe store
  // keys measurements by it, so equal fingerprints mean interchangeable measurements.
  virtual std::string Fingerprint() const = 0;
  // True when Measure() does real work on hardware (local, cmd). Live measurements are
  // written to the probe store the moment they are taken.
  virtual bool IsLive() const = 0;
  // Latency of `arch`. Throws DeviceError when the device fails, times out, or answers
  // with something that is not a latency; a failure is never reported as a measurement.
  virtual Measurement Measure(const Arch& arch) = 0;
  // The complete table behind a replayed device, or nullptr. For oracles and reports only:
  // no strategy may read it.
  virtual const LatencyTable* FullTable() const { return nullptr; }
  // The table behind a replayed device, complete or not (a `measure-all --sample` CSV holds a
  // sample), or nullptr: which architectures the device can answer. A search on such a device
  // searches those (SearchSetup, search_setup.h); no strategy may read its latencies.
  virtual const LatencyTable* ReplayedTable() const { return nullptr; }
};

}  // namespace simnas
