// The distribution of synthetic devices (Sim-is-More, Sec. 3.2) and richer variants.
//
// Paper version (SyntheticOptions::Paper(), also `Sample`): for the fixed part and for each
// op an independent Gaussian over the train devices' fitted tables (every edge counted),
// truncated to positive values; latency(cell) = fixed + sum of op costs.
//
// Options (each off in the paper version):
//  - sampler: `gaussian` (paper, independent per entry), `lognormal` (one multivariate
//    Gaussian over the logs of the five entries: keeps the train devices' correlations, e.g.
//    conv3x3 dearer than conv1x1; entries fitted below zero are floored at 1e-3 x fixed),
//    `mixture` (a random train device's fit, each entry multiplied by exp(N(0, mixture_sigma)),
//    signs kept).
//  - live_prob: probability that a sampled device runs only live edges (a compiler that
//    drops edges whose output is unused or whose input is structurally zero; see
//    cell_structure.h); its costs come from fits on live-edge counts.
//  - scale_sigma: the whole device multiplied by exp(N(0, scale_sigma)).
//  - op_noise: each (edge position, op) cost multiplied by its own exp(N(0, op_noise)),
//    so the same op costs differently on different edges (cache, layout, fusion effects).
//  - measure_noise: each measurement multiplied by exp(N(0, measure_noise)).
#pragma once

#include <array>
#include <random>
#include <string>
#include <vector>

#include "simnas/latency_model/op_table.h"

namespace simnas {

struct GaussianParam {
  double mean = 0;
  double stddev = 0;
};

enum class SyntheticSampler { kGaussian, kLogNormal, kMixture };
std::string_view SyntheticSamplerName(SyntheticSampler sampler);

struct SyntheticOptions {
  SyntheticSampler sampler = SyntheticSampler::kGaussian;
  double live_prob = 0;
  double scale_sigma = 0;
  double op_noise = 0;
  double measure_noise = 0;
  double mixture_sigma = 0.15;

  // The paper's distribution (all options off).
  static SyntheticOptions Paper() { return SyntheticOptions{}; }
  // The default of simnas (chosen by leave-one-train-device-out, docs/controller.md).
  static SyntheticOptions Default();
  // "key=value,..." with keys sampler, live, scale, op_noise, noise, mix_sigma; also the
  // presets "paper" and "default" (alone, or first and then overridden). Throws ParseError.
  static SyntheticOptions Parse(std::string_view text);
  // Canonical "key=value,..." (Parse(ToString()) gives the same options).
  std::string ToString() const;
  bool operator==(const SyntheticOptions&) const = default;
};

// One sampled device: a lookup table per edge position and op, plus a fixed part.
struct SyntheticDeviceModel {
  double fixed_ms = 0;
  std::array<std::array<double, kNumOps>, kNumEdges> edge_op_ms{};  // [edge][op]; none costs 0
  bool live_only = false;     // only live edges cost time
  double measure_noise = 0;   // relative (log-normal) noise of a measurement
  double floor_ms = 0;        // cached MinLatency() (SampleDevice sets it; 0 = compute)

  // Noise-free latency (never below MinLatency() = 1e-3 x the largest |entry|: negative
  // costs, e.g. a skip_connect cheaper than `none`, cannot make a cell free).
  double Latency(const Cell& cell) const { return LatencyOfCode(cell.Code()); }
  double LatencyOfCode(int code) const;
  double MinLatency() const;
  // Noise-free latency of every cell, indexed by Cell::Code().
  void AllLatencies(std::vector<float>& out) const;
  // One measurement: Latency() times exp(N(0, measure_noise)) drawn from `rng`.
  double Measure(const Cell& cell, std::mt19937_64& rng) const;
  // The same device as a plain OpLatencyModel (edge costs averaged over positions).
  OpLatencyModel MeanOpModel() const;
};

class SyntheticDistribution {
 public:
  // Paper: empirical mean and standard deviation of each entry over `models` (at least 2,
  // all fitted with the same op counts).
  static SyntheticDistribution Fit(const std::vector<OpLatencyModel>& models);
  // Every sampler: `all_fits` fitted with every edge counted, `live_fits` with live edges
  // (same devices, same order; `live_fits` may be empty when live_prob is 0).
  static SyntheticDistribution Fit(const std::vector<OpLatencyModel>& all_fits,
                                   const std::vector<OpLatencyModel>& live_fits);

  // The paper's sample: one device; entries redrawn until positive (none stays 0).
  OpLatencyModel Sample(std::mt19937_64& rng) const;
  // A device under `options`.
  SyntheticDeviceModel SampleDevice(std::mt19937_64& rng, const SyntheticOptions& options) const;

  const GaussianParam& fixed() const { return all_.gaussian[0]; }
  // Gaussian of an op's cost (index by Op; none is {0, 0}).
  const GaussianParam& op(Op op) const;
  // The mean device (mean of the fitted models, every edge counted): a device-independent
  // latency prior that is known at deployment.
  OpLatencyModel MeanModel() const;
  std::size_t num_devices() const { return all_.models.size(); }

 private:
  struct Family {
    std::vector<OpLatencyModel> models;
    std::array<GaussianParam, kNumOps> gaussian{};  // [0] is the fixed part, [op] an op
    std::array<double, kNumOps> log_mean{};         // lognormal: over log entries
    std::array<std::array<double, kNumOps>, kNumOps> log_chol{};  // lower Cholesky factor
  };
  static Family FitFamily(const std::vector<OpLatencyModel>& models);
  OpLatencyModel SampleFrom(const Family& family, SyntheticSampler sampler, double mixture_sigma,
                            std::mt19937_64& rng) const;

  Family all_;
  Family live_;
  bool has_live_ = false;
};

class BenchmarkData;
// Fits the op model of every train device (never a test device) and the distribution.
// `exclude` (optional) leaves one more device out (leave-one-device-out experiments).
struct TrainDeviceFits {
  std::vector<OpModelFit> fits;       // every edge counted
  std::vector<OpModelFit> live_fits;  // live edges only
  SyntheticDistribution distribution;
};
TrainDeviceFits FitTrainDevices(const BenchmarkData& data, const std::vector<std::string>& exclude = {});
// The same from explicit tables (e.g. a strategy's SearchContext::train_tables).
TrainDeviceFits FitDevices(const std::vector<const LatencyTable*>& tables, const SearchSpace& space);

}  // namespace simnas
