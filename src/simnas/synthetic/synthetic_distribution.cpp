#include "simnas/synthetic/synthetic_distribution.h"

#include <cmath>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/data/benchmark_data.h"
#include "simnas/data/device_split.h"

namespace simnas {
namespace {

GaussianParam FitGaussian(const std::vector<double>& values) {
  return GaussianParam{Mean(values), StdDev(values)};
}

double SamplePositive(const GaussianParam& g, std::mt19937_64& rng) {
  if (g.stddev <= 0) return std::max(g.mean, 0.0);
  std::normal_distribution<double> normal(g.mean, g.stddev);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double v = normal(rng);
    if (v > 0) return v;
  }
  return std::max(g.mean, 1e-6);  // only reachable for a distribution far below zero
}

}  // namespace

SyntheticDistribution SyntheticDistribution::Fit(const std::vector<OpLatencyModel>& models) {
  if (models.size() < 2) throw Error("a synthetic device distribution needs at least two fitted devices");
  SyntheticDistribution d;
  std::vector<double> values;
  for (const auto& m : models) values.push_back(m.fixed_ms);
  d.fixed_ = FitGaussian(values);
  for (int op = 1; op < kNumOps; ++op) {
    values.clear();
    for (const auto& m : models) values.push_back(m.op_ms[static_cast<std::size_t>(op)]);
    d.ops_[static_cast<std::size_t>(op)] = FitGaussian(values);
  }
  return d;
}

OpLatencyModel SyntheticDistribution::Sample(std::mt19937_64& rng) const {
  OpLatencyModel m;
  m.fixed_ms = SamplePositive(fixed_, rng);
  for (int op = 1; op < kNumOps; ++op) {
    m.op_ms[static_cast<std::size_t>(op)] = SamplePositive(ops_[static_cast<std::size_t>(op)], rng);
  }
  return m;
}

TrainDeviceFits FitTrainDevices(const BenchmarkData& data) {
  TrainDeviceFits result;
  std::vector<OpLatencyModel> models;
  for (const std::string& device : data.TrainDevices()) {
    if (IsTestDevice(device)) continue;  // defensive: TrainDevices() already excludes them
    result.fits.push_back(FitOpLatencyModel(data.DeviceTable(device), data.space()));
    models.push_back(result.fits.back().model);
  }
  result.distribution = SyntheticDistribution::Fit(models);
  return result;
}

}  // namespace simnas
