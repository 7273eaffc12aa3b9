// `synthetic:SEED[,OPTIONS]`: a lookup-table device drawn from the synthetic distribution
// fitted on the train devices; the same seed and options give the same device. OPTIONS are
// SyntheticOptions::Parse's (e.g. `synthetic:7,paper` for the paper's distribution,
// `synthetic:7,sampler=mixture,op_noise=0.1`); without them, SyntheticOptions::Default().
#pragma once

#include <cstdint>
#include <random>

#include "simnas/devices/device.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

class SyntheticDevice : public Device {
 public:
  SyntheticDevice(std::uint64_t seed, const SyntheticDeviceModel& model, SyntheticOptions options = {},
                  bool options_given = false);

  std::string Spec() const override;
  std::string Fingerprint() const override;
  bool IsLive() const override { return false; }
  // Noise-free unless the options add measurement noise (then deterministic per seed and
  // order of measurements).
  Measurement Measure(const Arch& arch) override;
  const SyntheticDeviceModel& model() const { return model_; }
  const SyntheticOptions& options() const { return options_; }

 private:
  std::uint64_t seed_;
  SyntheticDeviceModel model_;
  SyntheticOptions options_;
  bool options_given_;
  std::mt19937_64 noise_rng_;
};

}  // namespace simnas
