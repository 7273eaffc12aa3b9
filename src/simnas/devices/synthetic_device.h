// `synthetic:SEED`: a lookup-table device drawn from the synthetic distribution fitted on
// the train devices; the same seed gives the same device.
#pragma once

#include <cstdint>

#include "simnas/devices/device.h"
#include "simnas/synthetic/op_latency_model.h"

namespace simnas {

class SyntheticDevice : public Device {
 public:
  SyntheticDevice(std::uint64_t seed, const OpLatencyModel& model) : seed_(seed), model_(model) {}

  std::string Spec() const override;
  std::string Fingerprint() const override;
  bool IsLive() const override { return false; }
  Measurement Measure(const Cell& cell) override { return Measurement{model_.Latency(cell), 0.0, 1}; }
  const OpLatencyModel& model() const { return model_; }

 private:
  std::uint64_t seed_;
  OpLatencyModel model_;
};

}  // namespace simnas
