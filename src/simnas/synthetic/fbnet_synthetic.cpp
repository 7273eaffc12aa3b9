#include "simnas/synthetic/fbnet_synthetic.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/data/device_split.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/spaces/fbnet/fbnet_encoding.h"

namespace simnas {
namespace {

// Stage of every layer: a new stage starts where the output channels change (FbnetLayerShapes).
std::array<int, kFbnetNumLayers> LayerStages(int& num_stages) {
  std::array<int, kFbnetNumLayers> stage{};
  const auto& shapes = FbnetLayerShapes();
  int s = 0;
  for (int l = 0; l < kFbnetNumLayers; ++l) {
    const auto i = static_cast<std::size_t>(l);
    if (l > 0 && shapes[i].out_channels != shapes[i - 1].out_channels) ++s;
    stage[i] = s;
  }
  num_stages = s + 1;
  return stage;
}

}  // namespace

double FbnetLut::Latency(const FbnetArch& arch) const {
  double ms = fixed_ms;
  for (int l = 0; l < kFbnetNumLayers; ++l) {
    ms += block_ms[static_cast<std::size_t>(l)][static_cast<std::size_t>(arch.block(l))];
  }
  return std::max(ms, Floor());
}

double FbnetLut::MeanRandomLatency() const {
  double ms = fixed_ms;
  for (const auto& layer : block_ms) {
    double sum = 0;
    for (const double v : layer) sum += v;
    ms += sum / kFbnetNumBlocks;
  }
  return ms;
}

double FbnetLut::Floor() const { return 1e-3 * std::abs(MeanRandomLatency()); }

std::vector<double> FbnetLut::LatenciesOf(const std::vector<FbnetArch>& archs) const {
  std::vector<double> out;
  out.reserve(archs.size());
  for (const FbnetArch& a : archs) out.push_back(Latency(a));
  return out;
}

FbnetLutFit FitFbnetLut(const std::string& device, const std::vector<FbnetArch>& archs,
                        const std::vector<double>& latency_ms) {
  const std::string what = fmt::format("FBNet device {}", device);
  if (archs.size() != latency_ms.size()) {
    throw Error(fmt::format("lookup table of {}: {} networks but {} latencies", what, archs.size(), latency_ms.size()));
  }
  if (static_cast<int>(archs.size()) < kFbnetFeatureCount) {
    throw Error(fmt::format("lookup table of {}: {} networks, at least {} needed (one per table entry)", what,
                            archs.size(), kFbnetFeatureCount));
  }
  const FeatureLinearModel model = FitFeatureLinearModel(EncodeFbnetArchs(archs), latency_ms, what);
  FbnetLutFit fit;
  fit.device = device;
  fit.lut.fixed_ms = model.w(0);
  for (int l = 0; l < kFbnetNumLayers; ++l) {
    auto& layer = fit.lut.block_ms[static_cast<std::size_t>(l)];
    for (int b = 0; b < kFbnetNumBlocks - 1; ++b) {
      layer[static_cast<std::size_t>(b)] = model.w(1 + l * (kFbnetNumBlocks - 1) + b);
    }
    layer[static_cast<std::size_t>(FbnetBlock::kSkip)] = 0;  // the reference block
    // Shift the layer so its cheapest block costs 0: one block per layer, so no prediction changes.
    const double lo = *std::min_element(layer.begin(), layer.end());
    for (double& v : layer) v -= lo;
    fit.lut.fixed_ms += lo;
  }
  std::vector<double> predicted;
  predicted.reserve(archs.size());
  for (const FbnetArch& a : archs) {
    double ms = fit.lut.fixed_ms;
    for (int l = 0; l < kFbnetNumLayers; ++l) {
      ms += fit.lut.block_ms[static_cast<std::size_t>(l)][static_cast<std::size_t>(a.block(l))];
    }
    predicted.push_back(ms);  // the least-squares prediction itself (no floor)
  }
  fit.r2 = RSquared(predicted, latency_ms);
  fit.spearman = Spearman(predicted, latency_ms);
  return fit;
}

FbnetSyntheticDistribution::FbnetSyntheticDistribution(std::vector<FbnetLutFit> fits, FbnetSyntheticOptions options)
    : fits_(std::move(fits)), options_(options) {
  if (fits_.empty()) throw Error("FBNet synthetic distribution: no train device fit");
  if (!(options_.alpha > 0) || !(options_.stage_sigma >= 0) || !(options_.block_sigma >= 0) ||
      !(options_.entry_sigma >= 0)) {
    throw Error(fmt::format("FBNet synthetic distribution: alpha must be > 0 and sigmas >= 0 (got alpha={}, "
                            "stage_sigma={}, block_sigma={}, entry_sigma={})",
                            options_.alpha, options_.stage_sigma, options_.block_sigma, options_.entry_sigma));
  }
  for (const FbnetLutFit& f : fits_) {
    if (IsFbnetTestDevice(f.device)) {
      throw Error(fmt::format("FBNet synthetic distribution: {} is a test device; nothing is fitted on it", f.device));
    }
    const double m = f.lut.MeanRandomLatency();
    if (!(m > 0) || !std::isfinite(m)) {
      throw Error(fmt::format("FBNet synthetic distribution: the fit of {} has a mean latency of {} ms", f.device, m));
    }
    mean_ms_.push_back(m);
  }
}

FbnetLut FbnetSyntheticDistribution::Sample(std::uint64_t seed) const {
  std::mt19937_64 rng(seed);
  // 1. Dirichlet(alpha) weights (Gamma draws, normalized); redrawn in the (rare) all-zero case.
  std::vector<double> w(fits_.size(), 0.0);
  double total = 0;
  while (!(total > 0)) {
    std::gamma_distribution<double> gamma(options_.alpha, 1.0);
    total = 0;
    for (double& x : w) total += (x = gamma(rng));
  }
  FbnetLut lut;
  double log_scale = 0;
  for (std::size_t k = 0; k < fits_.size(); ++k) {
    const double wk = w[k] / total;
    const double f = wk / mean_ms_[k];
    log_scale += wk * std::log(mean_ms_[k]);
    lut.fixed_ms += f * fits_[k].lut.fixed_ms;
    for (std::size_t l = 0; l < lut.block_ms.size(); ++l) {
      for (std::size_t b = 0; b < lut.block_ms[l].size(); ++b) lut.block_ms[l][b] += f * fits_[k].lut.block_ms[l][b];
    }
  }
  // 2. Per-stage scaling, 3. per-entry noise; then back to the mixture's scale.
  int num_stages = 0;
  const std::array<int, kFbnetNumLayers> stage = LayerStages(num_stages);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> stage_factor;
  for (int s = 0; s < num_stages; ++s) stage_factor.push_back(std::exp(options_.stage_sigma * normal(rng)));
  std::array<double, kFbnetNumBlocks> block_factor{};
  for (double& f : block_factor) f = std::exp(options_.block_sigma * normal(rng));
  const double scale = std::exp(log_scale);
  lut.fixed_ms *= scale * std::exp(options_.entry_sigma * normal(rng));
  for (std::size_t l = 0; l < lut.block_ms.size(); ++l) {
    const double sf = stage_factor[static_cast<std::size_t>(stage[l])];
    for (std::size_t b = 0; b < lut.block_ms[l].size(); ++b) {
      lut.block_ms[l][b] *= scale * sf * block_factor[b] * std::exp(options_.entry_sigma * normal(rng));
    }
  }
  return lut;
}

std::vector<FbnetLutFit> FitFbnetTrainDevices(FbnetTables& tables) {
  const std::vector<FbnetArch>& archs = tables.Archs();
  std::vector<FbnetLutFit> fits;
  for (const std::string& device : FbnetTables::TrainDevices()) {
    fits.push_back(FitFbnetLut(device, archs, tables.Table(device).values()));
  }
  return fits;
}

FbnetSyntheticDistribution FitFbnetSyntheticDistribution(FbnetTables& tables, FbnetSyntheticOptions options) {
  return FbnetSyntheticDistribution(FitFbnetTrainDevices(tables), options);
}

FbnetSyntheticComparison CompareFbnetSynthetic(const std::vector<FbnetLut>& devices,
                                               const std::vector<FbnetArch>& archs,
                                               const std::vector<const LatencyTable*>& real,
                                               const std::vector<bool>& is_test) {
  if (real.size() != is_test.size()) throw Error("FBNet synthetic comparison: one split flag per real table needed");
  // Spearman = Pearson on average ranks: rank every device once.
  std::vector<std::vector<double>> syn_ranks;
  for (const FbnetLut& d : devices) syn_ranks.push_back(Ranks(d.LatenciesOf(archs)));
  std::vector<std::vector<double>> real_ranks;
  for (const LatencyTable* t : real) {
    if (t->values().size() != archs.size()) {
      throw Error(fmt::format("FBNet synthetic comparison: table {} has {} latencies for {} networks", t->name(),
                              t->values().size(), archs.size()));
    }
    real_ranks.push_back(Ranks(t->values()));
  }
  FbnetSyntheticComparison c;
  for (std::size_t i = 0; i < syn_ranks.size(); ++i) {
    for (std::size_t j = i + 1; j < syn_ranks.size(); ++j) c.pairwise_synthetic.push_back(Pearson(syn_ranks[i], syn_ranks[j]));
  }
  for (std::size_t i = 0; i < real_ranks.size(); ++i) {
    for (std::size_t j = i + 1; j < real_ranks.size(); ++j) {
      const double rho = Pearson(real_ranks[i], real_ranks[j]);
      c.pairwise_real.push_back(rho);
      if (!is_test[i] && !is_test[j]) c.pairwise_real_train.push_back(rho);
    }
  }
  for (std::size_t d = 0; d < real.size(); ++d) {
    std::vector<double> rho;
    for (const auto& s : syn_ranks) rho.push_back(Pearson(s, real_ranks[d]));
    FbnetSyntheticComparison::Real r;
    r.device = real[d]->name();
    r.test = is_test[d];
    if (!rho.empty()) {
      r.best = *std::max_element(rho.begin(), rho.end());
      r.worst = *std::min_element(rho.begin(), rho.end());
      r.mean = Mean(rho);
    }
    c.real.push_back(r);
  }
  return c;
}

}  // namespace simnas
