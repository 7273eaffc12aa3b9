// `local`: this machine's CPU, for real. Builds the network of the architecture (a
// NAS-Bench-201 cell's TinyNetwork; an FBNet network's description run by DescribedNetwork) in
// LibTorch (eval mode, no autograd; in the torch plugin, opened by the first measurement) and times inference with the live devices' one timing
// harness (timing_harness.h, shared with `opencv`): samples that each time a calibrated loop
// of forward passes, until the 95% interval of their median is within a tolerance, each
// sample bracketed and normalized by a fixed reference network (the all-`none` cell) against
// the machine's quiet speed, remembered across processes in
// <cache_dir>/local-reference.json. The statistic, its defaults and the figures that chose
// them: docs/timing.md.
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
  // Pixels per side; 0 ("input=own"): each architecture's own resolution, for spaces whose
  // architectures carry one (Space::ArchitecturesCarryInputSize; the device factory makes it
  // their default).
  int input_size = 32;
  int num_classes = 10;
  // The statistic and noise control of the timing harness (samples, tolerance, time cap,
  // quiet tolerance, normalization, window): timing_harness.h holds the one definition and
  // its defaults.
  TimingOptions timing;
  bool remember_reference = true; // persist the reference speed across processes, in cache_dir
  // The Environment's cache folder: the remembered quiet speed, the opencv device's exported
  // models. Empty: nothing is remembered (and exports go to a temp folder).
  std::filesystem::path cache_dir;
};

// Parses "key=value,key=value" over `defaults`: the device keys threads, batch, input (8 to 1024,
// or `own`), classes, and the
// timing keys (into `timing`) warmup, repeats (the minimum of samples), min_time (ms of timed
// work), sample (ms per sample), tolerance, max_wait (the time cap, s), quiet, on_cpu (0 to 1),
// normalize (0 or 1), window (s), memory (s), reference (ms per reference timing). Throws ParseError naming an unknown key or bad value (the removed max_spread and
// tries name their replacements); `kind` names the device in messages (the `opencv` device
// takes the same keys).
LocalOptions ParseLocalOptions(const std::string& text, std::string_view kind = "local",
                               const LocalOptions& defaults = {});
// "32", or "own" for 0.
std::string InputSizeText(int input_size);

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
