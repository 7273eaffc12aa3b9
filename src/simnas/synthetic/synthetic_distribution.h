// The distribution of synthetic devices (Sim-is-More, Sec. 3.2): for the fixed part and for
// each op an independent Gaussian over the train devices' fitted tables, truncated to
// positive values. A new device (lookup table) is sampled per training episode.
#pragma once

#include <array>
#include <random>
#include <vector>

#include "simnas/synthetic/op_latency_model.h"

namespace simnas {

struct GaussianParam {
  double mean = 0;
  double stddev = 0;
};

class SyntheticDistribution {
 public:
  // Empirical mean and standard deviation of each entry over `models` (at least 2).
  static SyntheticDistribution Fit(const std::vector<OpLatencyModel>& models);

  // One synthetic device; entries are redrawn until positive (none stays 0).
  OpLatencyModel Sample(std::mt19937_64& rng) const;

  const GaussianParam& fixed() const { return fixed_; }
  const GaussianParam& op(Op op) const { return ops_[static_cast<std::size_t>(op)]; }

 private:
  GaussianParam fixed_;
  std::array<GaussianParam, kNumOps> ops_{};
};

class BenchmarkData;
// Fits the op model of every train device (never a test device) and the distribution.
struct TrainDeviceFits {
  std::vector<OpModelFit> fits;
  SyntheticDistribution distribution;
};
TrainDeviceFits FitTrainDevices(const BenchmarkData& data);

}  // namespace simnas
