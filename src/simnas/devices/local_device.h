// `local`: this machine's CPU, for real. Builds the network of the architecture (a
// NAS-Bench-201 cell's TinyNetwork; an FBNet network's description run by DescribedNetwork) in
// LibTorch (eval mode, no autograd; in the torch plugin, opened by the first measurement) and times inference with the live devices' one timing
// harness (timing_harness.h, shared with `opencv`): warm-up, then timed repeats;
// reports the median and the relative interquartile range. When the spread is above
// `max_spread` it measures again; after `tries` noisy attempts it fails instead of
// reporting a noisy number.
//
// Shared and virtual machines change speed from one second to the next (measured here: the
// same network at 3.7 ms or 5.7 ms depending on the moment). So repeats are taken in short
// blocks, each preceded by a quick timing of a fixed reference network (the all-`none`
// cell); a block counts only when the reference runs within `quiet_tolerance` of the
// machine's quiet speed: the fastest the reference has run within the last
// `reference_window_s` seconds (remembered across processes in
// $XDG_CACHE_HOME/simnas/local-reference.json, per fingerprint, with the time it was seen,
// so that a process started during a slow spell still recognizes it). The window lets the
// quiet speed follow a host that changes speed for good (a virtual machine moved, a new
// co-tenant): a lucky minimum from an hour ago does not block measuring now (measured here:
// the reference at 0.737 ms one hour, 0.958 ms on an idle machine the next; with a 600 s
// window, cells waited 120 s and failed while the host ran 15% slower for minutes). If the machine
// does not become quiet within `max_wait_s`, the measurement fails.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "simnas/devices/device.h"
#include "simnas/devices/timing_harness.h"

namespace simnas {

struct LocalOptions {
  int threads = 1;
  int batch = 1;
  int input_size = 32;
  int num_classes = 10;
  // The noise control of the timing harness (warm-up, repeats, spread, tries, quiet
  // tolerance, wait, window): timing_harness.h holds the one definition and its defaults.
  TimingOptions timing;
  bool remember_reference = true; // persist the reference speed across processes, in cache_dir
  // The Environment's cache folder: the remembered quiet speed, the opencv device's exported
  // models. Empty: nothing is remembered (and exports go to a temp folder).
  std::filesystem::path cache_dir;
};

// Parses "key=value,key=value": the device keys threads, batch, input, classes, and the
// timing keys warmup, repeats, min_time, max_spread, tries, quiet, max_wait, window (into
// `timing`). Throws ParseError naming an unknown key or bad value; `kind` names the device in messages (the `opencv` device takes the same keys).
LocalOptions ParseLocalOptions(const std::string& text, std::string_view kind = "local");

// Where a live device remembers its quiet speed (<cache_dir>/local-reference.json, keyed by
// fingerprint), or nothing when options.remember_reference is off or there is no cache folder.
std::optional<RememberedReference> ReferenceMemory(const LocalOptions& options, const std::string& fingerprint);

class LocalDevice : public Device {
 public:
  explicit LocalDevice(LocalOptions options = {});
  ~LocalDevice() override;

  std::string Spec() const override;
  std::string Fingerprint() const override;
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override;
  const LocalOptions& options() const { return options_; }

  // What measures: LibTorch, in the torch plugin (local_device_torch.cpp), made at the first
  // measurement (the plugin is not opened before). Same contract as Measure.
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual Measurement Measure(const Arch& arch) = 0;
  };

 private:
  LocalOptions options_;
  std::string machine_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace simnas

// The torch plugin's side of a `local` device (owned by the caller).
extern "C" simnas::LocalDevice::Backend* simnas_torch_new_local_backend(const simnas::LocalOptions& options,
                                                                       const std::string& spec,
                                                                       const std::string& fingerprint);
