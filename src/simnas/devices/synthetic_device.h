// `synthetic:SEED[,OPTIONS]`: a lookup-table device of any search space, drawn from the
// synthetic distribution fitted on the space's train device tables (synthetic/); the same seed
// and options give the same device. OPTIONS are SyntheticOptions::Parse's (e.g.
// `synthetic:7,paper`, `synthetic:7,sampler=mixture,op_noise=0.1`); without them, the space's
// Space::DefaultSyntheticOptions. It measures any architecture of its space, not only the
// numbered ones.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "simnas/devices/device.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

class DeviceSpec;
class SpaceData;

class SyntheticDevice : public Device {
 public:
  SyntheticDevice(const Space& space, std::uint64_t seed, SyntheticLut lut, SyntheticOptions options,
                  bool options_given);

  std::string Spec() const override;
  // The space, seed, options and a digest of every entry of the table.
  std::string Fingerprint() const override;
  bool IsLive() const override { return false; }
  // The table's latency; noise-free unless the options add measurement noise (then
  // deterministic per seed and order of measurements). DeviceError for another space's
  // architecture.
  Measurement Measure(const Arch& arch) override;
  const SyntheticLut& lut() const { return lut_; }
  const SyntheticOptions& options() const { return options_; }

 private:
  const Space* space_;
  std::uint64_t seed_;
  SyntheticLut lut_;
  SyntheticOptions options_;
  bool options_given_;
  std::mt19937_64 noise_rng_;
};

// The device of a synthetic: `spec` on `data`'s space (its distribution fitted on the train
// tables of `data`). Throws ParseError for bad options, Error when they do not fit the space.
std::unique_ptr<SyntheticDevice> OpenSyntheticDevice(const SpaceData& data, const DeviceSpec& spec);

}  // namespace simnas
