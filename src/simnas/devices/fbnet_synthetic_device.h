// `synthetic:SEED` under `--space fbnet`: a lookup table (fixed part + 22 x 9 block costs)
// drawn from the FBNet synthetic distribution fitted on the train tables
// (synthetic/fbnet_synthetic.h). It measures any FBNet network, not only HELP's 5,000: the sum
// of its table entries, noise-free, so the same seed gives the same latencies.
#pragma once

#include <cstdint>
#include <string>

#include "simnas/devices/device.h"
#include "simnas/synthetic/fbnet_synthetic.h"

namespace simnas {

class FbnetSyntheticDevice : public Device {
 public:
  FbnetSyntheticDevice(std::uint64_t seed, const FbnetLut& lut);

  std::string Spec() const override;
  // The seed and a digest of every entry of the table.
  std::string Fingerprint() const override;
  bool IsLive() const override { return false; }
  // The table's latency of an FBNet network; DeviceError for a NAS-Bench-201 cell.
  Measurement Measure(const Arch& arch) override;
  const FbnetLut& lut() const { return lut_; }

 private:
  std::uint64_t seed_;
  FbnetLut lut_;
};

}  // namespace simnas
