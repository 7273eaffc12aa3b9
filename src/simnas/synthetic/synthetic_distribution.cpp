#include "simnas/synthetic/synthetic_distribution.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/data/device_split.h"
#include "simnas/spaces/nb201/cell_structure.h"

namespace simnas {
namespace {

GaussianParam FitGaussian(const std::vector<double>& values) { return GaussianParam{Mean(values), StdDev(values)}; }

double SamplePositive(const GaussianParam& g, std::mt19937_64& rng) {
  if (g.stddev <= 0) return std::max(g.mean, 0.0);
  std::normal_distribution<double> normal(g.mean, g.stddev);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double v = normal(rng);
    if (v > 0) return v;
  }
  return std::max(g.mean, 1e-6);  // only reachable for a distribution far below zero
}

double Entry(const OpLatencyModel& m, int k) { return k == 0 ? m.fixed_ms : m.op_ms[static_cast<std::size_t>(k)]; }
void SetEntry(OpLatencyModel& m, int k, double v) {
  if (k == 0) {
    m.fixed_ms = v;
  } else {
    m.op_ms[static_cast<std::size_t>(k)] = v;
  }
}

// A fitted cost can come out slightly negative (an op no slower than `none` on a device,
// plus fitting noise); logs need a positive floor, relative to the device's own scale.
double LogFloorEntry(const OpLatencyModel& m, int k) {
  const double floor = 1e-3 * std::max(m.fixed_ms, 1e-9);
  return std::log(std::max(Entry(m, k), floor));
}

}  // namespace

std::string_view SyntheticSamplerName(SyntheticSampler sampler) {
  switch (sampler) {
    case SyntheticSampler::kGaussian: return "gaussian";
    case SyntheticSampler::kLogNormal: return "lognormal";
    case SyntheticSampler::kMixture: return "mixture";
  }
  return "?";
}

SyntheticOptions SyntheticOptions::Default() { return SyntheticOptions{}; }

SyntheticOptions SyntheticOptions::Parse(std::string_view text) {
  SyntheticOptions o = Default();
  bool first = true;
  for (const std::string& raw : Split(text, ',')) {
    const std::string_view item = Trim(raw);
    if (item.empty()) continue;
    if (item == "paper" || item == "default") {
      if (!first) throw ParseError(fmt::format("synthetic options {}: preset {} must come first", Quoted(text), item));
      o = item == "paper" ? Paper() : Default();
      first = false;
      continue;
    }
    first = false;
    const auto eq = item.find('=');
    const std::string key(Trim(item.substr(0, eq)));
    const std::string_view value = eq == std::string_view::npos ? "" : Trim(item.substr(eq + 1));
    if (key == "sampler") {
      if (value == "gaussian") {
        o.sampler = SyntheticSampler::kGaussian;
      } else if (value == "lognormal") {
        o.sampler = SyntheticSampler::kLogNormal;
      } else if (value == "mixture") {
        o.sampler = SyntheticSampler::kMixture;
      } else {
        throw ParseError(fmt::format("synthetic option sampler={}: expected gaussian, lognormal or mixture", value));
      }
      continue;
    }
    const auto number = ParseDouble(value);
    double* target = key == "live"        ? &o.live_prob
                     : key == "scale"     ? &o.scale_sigma
                     : key == "op_noise"  ? &o.op_noise
                     : key == "noise"     ? &o.measure_noise
                     : key == "mix_sigma" ? &o.mixture_sigma
                                          : nullptr;
    if (target == nullptr) {
      throw ParseError(fmt::format("unknown synthetic option {} in {}; expected paper, default, sampler=, live=, "
                                   "scale=, op_noise=, noise=, mix_sigma=",
                                   Quoted(key), Quoted(text)));
    }
    if (!number || *number < 0 || (key == "live" && *number > 1)) {
      throw ParseError(fmt::format("synthetic option {}: expected a number >= 0{}", Quoted(item),
                                   key == "live" ? " and <= 1" : ""));
    }
    *target = *number;
  }
  return o;
}

std::string SyntheticOptions::ToString() const {
  return fmt::format("sampler={},live={:g},scale={:g},op_noise={:g},noise={:g},mix_sigma={:g}",
                     SyntheticSamplerName(sampler), live_prob, scale_sigma, op_noise, measure_noise, mixture_sigma);
}

double SyntheticDeviceModel::LatencyOfCode(int code) const {
  const auto c = static_cast<std::size_t>(code);
  const auto& ops = CellOpsByCode()[c];
  const std::uint8_t mask = live_only ? LiveEdgeMasks()[c] : 0x3f;
  double ms = fixed_ms;
  for (std::size_t e = 0; e < kNumEdges; ++e) {
    if ((mask >> e) & 1u) ms += edge_op_ms[e][ops[e]];
  }
  return std::max(ms, floor_ms > 0 ? floor_ms : MinLatency());
}

double SyntheticDeviceModel::MinLatency() const {
  double largest = std::abs(fixed_ms);
  for (const auto& edge : edge_op_ms) {
    for (double v : edge) largest = std::max(largest, std::abs(v));
  }
  return 1e-3 * std::max(largest, 1e-9);
}

void SyntheticDeviceModel::AllLatencies(std::vector<float>& out) const {
  out.resize(kNumCells);
  const auto& masks = LiveEdgeMasks();
  const double min_latency = floor_ms > 0 ? floor_ms : MinLatency();
  // Code = sum op(e) * 5^e: walk the codes with an odometer over the six edges.
  std::array<int, kNumEdges> ops{};
  for (int code = 0; code < kNumCells; ++code) {
    const std::uint8_t mask = live_only ? masks[static_cast<std::size_t>(code)] : 0x3f;
    double ms = fixed_ms;
    for (int e = 0; e < kNumEdges; ++e) {
      if ((mask >> e) & 1u) ms += edge_op_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(ops[static_cast<std::size_t>(e)])];
    }
    out[static_cast<std::size_t>(code)] = static_cast<float>(std::max(ms, min_latency));
    for (int e = 0; e < kNumEdges; ++e) {
      if (++ops[static_cast<std::size_t>(e)] < kNumOps) break;
      ops[static_cast<std::size_t>(e)] = 0;
    }
  }
}

double SyntheticDeviceModel::Measure(const Cell& cell, std::mt19937_64& rng) const {
  const double ms = Latency(cell);
  if (measure_noise <= 0) return ms;
  std::normal_distribution<double> normal(0.0, measure_noise);
  return ms * std::exp(normal(rng));
}

OpLatencyModel SyntheticDeviceModel::MeanOpModel() const {
  OpLatencyModel m;
  m.fixed_ms = fixed_ms;
  m.counts = live_only ? OpCountKind::kLiveEdges : OpCountKind::kAllEdges;
  for (int op = 1; op < kNumOps; ++op) {
    double sum = 0;
    for (int e = 0; e < kNumEdges; ++e) sum += edge_op_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)];
    m.op_ms[static_cast<std::size_t>(op)] = sum / kNumEdges;
  }
  return m;
}

SyntheticDistribution::Family SyntheticDistribution::FitFamily(const std::vector<OpLatencyModel>& models) {
  if (models.size() < 2) throw Error("a synthetic device distribution needs at least two fitted devices");
  Family f;
  f.models = models;
  std::vector<double> values;
  for (int k = 0; k < kNumOps; ++k) {
    values.clear();
    for (const auto& m : models) values.push_back(Entry(m, k));
    f.gaussian[static_cast<std::size_t>(k)] = FitGaussian(values);
  }
  // Log-space mean and covariance (with a small ridge), then its Cholesky factor.
  const auto n = static_cast<double>(models.size());
  for (int k = 0; k < kNumOps; ++k) {
    double s = 0;
    for (const auto& m : models) s += LogFloorEntry(m, k);
    f.log_mean[static_cast<std::size_t>(k)] = s / n;
  }
  std::array<std::array<double, kNumOps>, kNumOps> cov{};
  for (int a = 0; a < kNumOps; ++a) {
    for (int b = 0; b < kNumOps; ++b) {
      double s = 0;
      for (const auto& m : models) {
        s += (LogFloorEntry(m, a) - f.log_mean[static_cast<std::size_t>(a)]) *
             (LogFloorEntry(m, b) - f.log_mean[static_cast<std::size_t>(b)]);
      }
      cov[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = s / (n - 1) + (a == b ? 1e-6 : 0.0);
    }
  }
  auto& l = f.log_chol;
  for (int i = 0; i < kNumOps; ++i) {
    for (int j = 0; j <= i; ++j) {
      double s = cov[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      for (int k = 0; k < j; ++k) s -= l[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)] * l[static_cast<std::size_t>(j)][static_cast<std::size_t>(k)];
      if (i == j) {
        l[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = std::sqrt(std::max(s, 1e-12));
      } else {
        l[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = s / l[static_cast<std::size_t>(j)][static_cast<std::size_t>(j)];
      }
    }
  }
  return f;
}

SyntheticDistribution SyntheticDistribution::Fit(const std::vector<OpLatencyModel>& models) {
  SyntheticDistribution d;
  d.all_ = FitFamily(models);
  return d;
}

SyntheticDistribution SyntheticDistribution::Fit(const std::vector<OpLatencyModel>& all_fits,
                                                 const std::vector<OpLatencyModel>& live_fits) {
  SyntheticDistribution d;
  d.all_ = FitFamily(all_fits);
  if (!live_fits.empty()) {
    if (live_fits.size() != all_fits.size()) throw Error("live-edge fits and all-edge fits differ in number");
    d.live_ = FitFamily(live_fits);
    d.has_live_ = true;
  }
  return d;
}

const GaussianParam& SyntheticDistribution::op(Op op) const {
  static const GaussianParam none{};
  return op == Op::kNone ? none : all_.gaussian[static_cast<std::size_t>(op)];
}

OpLatencyModel SyntheticDistribution::MeanModel() const {
  OpLatencyModel m;
  m.fixed_ms = all_.gaussian[0].mean;
  for (int op = 1; op < kNumOps; ++op) m.op_ms[static_cast<std::size_t>(op)] = all_.gaussian[static_cast<std::size_t>(op)].mean;
  return m;
}

OpLatencyModel SyntheticDistribution::Sample(std::mt19937_64& rng) const {
  return SampleFrom(all_, SyntheticSampler::kGaussian, 0.0, rng);
}

OpLatencyModel SyntheticDistribution::SampleFrom(const Family& family, SyntheticSampler sampler,
                                                 double mixture_sigma, std::mt19937_64& rng) const {
  OpLatencyModel m;
  m.counts = &family == &live_ ? OpCountKind::kLiveEdges : OpCountKind::kAllEdges;
  switch (sampler) {
    case SyntheticSampler::kGaussian:
      for (int k = 0; k < kNumOps; ++k) SetEntry(m, k, SamplePositive(family.gaussian[static_cast<std::size_t>(k)], rng));
      break;
    case SyntheticSampler::kLogNormal: {
      std::normal_distribution<double> normal(0.0, 1.0);
      std::array<double, kNumOps> z{};
      for (double& v : z) v = normal(rng);
      for (int i = 0; i < kNumOps; ++i) {
        double x = family.log_mean[static_cast<std::size_t>(i)];
        for (int j = 0; j <= i; ++j) x += family.log_chol[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] * z[static_cast<std::size_t>(j)];
        SetEntry(m, i, std::exp(x));
      }
      break;
    }
    case SyntheticSampler::kMixture: {
      std::uniform_int_distribution<std::size_t> pick(0, family.models.size() - 1);
      const OpLatencyModel& base = family.models[pick(rng)];
      // Sign-preserving: a fitted skip_connect is usually cheaper than `none` (negative cost).
      std::normal_distribution<double> normal(0.0, mixture_sigma);
      for (int k = 0; k < kNumOps; ++k) SetEntry(m, k, Entry(base, k) * std::exp(normal(rng)));
      break;
    }
  }
  m.op_ms[0] = 0.0;
  return m;
}

SyntheticDeviceModel SyntheticDistribution::SampleDevice(std::mt19937_64& rng, const SyntheticOptions& options) const {
  // Draws happen in a fixed order whatever the options, so that a device is a pure function
  // of the rng state and the options.
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const bool live = options.live_prob > 0 && has_live_ && uniform(rng) < options.live_prob;
  if (options.live_prob > 0 && !has_live_) {
    throw Error("synthetic option live > 0 needs a distribution fitted with live-edge counts");
  }
  const OpLatencyModel base = SampleFrom(live ? live_ : all_, options.sampler, options.mixture_sigma, rng);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double scale = options.scale_sigma > 0 ? std::exp(options.scale_sigma * normal(rng)) : 1.0;
  SyntheticDeviceModel d;
  d.live_only = live;
  d.measure_noise = options.measure_noise;
  d.fixed_ms = base.fixed_ms * scale;
  for (int e = 0; e < kNumEdges; ++e) {
    for (int op = 1; op < kNumOps; ++op) {
      const double noise = options.op_noise > 0 ? std::exp(options.op_noise * normal(rng)) : 1.0;
      d.edge_op_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)] =
          base.op_ms[static_cast<std::size_t>(op)] * scale * noise;
    }
  }
  d.floor_ms = d.MinLatency();
  return d;
}

TrainDeviceFits FitDevices(const std::vector<const LatencyTable*>& tables, const SearchSpace& space) {
  TrainDeviceFits result;
  std::vector<OpLatencyModel> all, live;
  for (const LatencyTable* table : tables) {
    if (IsTestDevice(table->name())) {
      throw Error(fmt::format("refusing to fit synthetic devices on test device {}", table->name()));
    }
    result.fits.push_back(FitOpLatencyModel(*table, space, OpCountKind::kAllEdges));
    result.live_fits.push_back(FitOpLatencyModel(*table, space, OpCountKind::kLiveEdges));
    all.push_back(result.fits.back().model);
    live.push_back(result.live_fits.back().model);
  }
  result.distribution = SyntheticDistribution::Fit(all, live);
  return result;
}

TrainDeviceFits FitTrainDevices(const BenchmarkData& data, const std::vector<std::string>& exclude) {
  std::vector<const LatencyTable*> tables;
  for (const std::string& device : data.TrainDevices()) {
    if (IsTestDevice(device)) continue;  // defensive: TrainDevices() already excludes them
    if (std::find(exclude.begin(), exclude.end(), device) != exclude.end()) continue;
    tables.push_back(&data.DeviceTable(device));
  }
  return FitDevices(tables, data.space());
}

}  // namespace simnas
