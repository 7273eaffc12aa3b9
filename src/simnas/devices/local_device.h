// `local`: this machine's CPU, for real. Builds the NAS-Bench-201 network of the cell in
// LibTorch (eval mode, no autograd) and times inference: warm-up, then timed repeats;
// reports the median and the relative interquartile range. When the spread is above
// `max_spread` it measures again; after `tries` noisy attempts it fails instead of
// reporting a noisy number.
//
// Shared and virtual machines change speed from one second to the next (measured here: the
// same network at 3.7 ms or 5.7 ms depending on the moment). So repeats are taken in short
// blocks, each preceded by a quick timing of a fixed reference network (the all-`none`
// cell); a block counts only when the reference runs within `quiet_tolerance` of the
// fastest the reference has run on this machine (remembered across processes in
// $XDG_CACHE_HOME/simnas/local-reference.json, per fingerprint, so that a process started
// during a slow spell still recognizes it). If the machine does not become quiet within
// `max_wait_s`, the measurement fails.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "simnas/devices/device.h"

namespace simnas {

struct LocalOptions {
  int threads = 1;
  int batch = 1;
  int input_size = 32;
  int num_classes = 10;
  int warmup = 5;
  int repeats = 30;          // at least this many timed runs...
  double min_time_ms = 300;  // ...and at least this much timed work (more runs for small nets)
  double max_spread = 0.10;  // IQR / median
  int tries = 3;
  double quiet_tolerance = 0.05;  // accepted slowdown of the reference network
  double max_wait_s = 60;         // give up when the machine stays busy this long
  bool remember_reference = true; // persist the reference speed across processes
};

// Parses "key=value,key=value" (keys as in LocalOptions: threads, batch, input, classes,
// warmup, repeats, min_time, max_spread, tries, quiet, max_wait). Throws ParseError naming an unknown
// key or bad value.
LocalOptions ParseLocalOptions(const std::string& text);

class LocalDevice : public Device {
 public:
  explicit LocalDevice(LocalOptions options = {});

  std::string Spec() const override;
  std::string Fingerprint() const override;
  bool IsLive() const override { return true; }
  Measurement Measure(const Cell& cell) override;
  const LocalOptions& options() const { return options_; }

 private:
  // Fastest time (ms) of the reference network seen so far; <= 0 before the first measure.
  double ReferenceTime();
  double TimeReference(int runs);
  void LoadRememberedReference();
  void SaveRememberedReference() const;

  LocalOptions options_;
  std::string machine_;
  struct Reference;
  std::shared_ptr<Reference> reference_;
  double best_reference_ms_ = 0;
  double remembered_reference_ms_ = 0;
};

}  // namespace simnas
