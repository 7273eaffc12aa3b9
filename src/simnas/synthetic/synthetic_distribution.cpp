#include "simnas/synthetic/synthetic_distribution.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"

namespace simnas {
namespace {

double SamplePositive(const GaussianParam& g, std::mt19937_64& rng) {
  if (g.stddev <= 0) return std::max(g.mean, 0.0);
  std::normal_distribution<double> normal(g.mean, g.stddev);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double v = normal(rng);
    if (v > 0) return v;
  }
  return std::max(g.mean, 1e-6);  // only reachable for a distribution far below zero
}

// A fitted cost can come out slightly negative (an op no slower than `none` on a device,
// plus fitting noise); logs need a positive floor, relative to the device's own scale.
double LogFloorEntry(const std::vector<double>& entries, std::size_t k) {
  const double floor = 1e-3 * std::max(entries[0], 1e-9);
  return std::log(std::max(entries[k], floor));
}

std::optional<SyntheticSampler> ParseSampler(std::string_view name) {
  for (const SyntheticSampler s : {SyntheticSampler::kGaussian, SyntheticSampler::kLogNormal,
                                   SyntheticSampler::kMixture, SyntheticSampler::kDirichlet}) {
    if (SyntheticSamplerName(s) == name) return s;
  }
  return std::nullopt;
}

void ApplyOption(SyntheticOptions& o, std::string_view item, std::string_view text) {
  const auto eq = item.find('=');
  const std::string key(Trim(item.substr(0, eq)));
  const std::string_view value = eq == std::string_view::npos ? "" : Trim(item.substr(eq + 1));
  if (key == "sampler") {
    const auto s = ParseSampler(value);
    if (!s) throw ParseError(fmt::format("synthetic option sampler={}: expected gaussian, lognormal, mixture or dirichlet", value));
    o.sampler = *s;
    return;
  }
  if (key == "fit") {
    if (value != "shared" && value != "position") {
      throw ParseError(fmt::format("synthetic option fit={}: expected shared or position", value));
    }
    o.fit = value == "shared" ? LutFitKind::kShared : LutFitKind::kPerPosition;
    return;
  }
  double* target = key == "live"           ? &o.live_prob
                   : key == "scale"        ? &o.scale_sigma
                   : key == "op_noise"     ? &o.op_noise
                   : key == "noise"        ? &o.measure_noise
                   : key == "mix_sigma"    ? &o.mixture_sigma
                   : key == "alpha"        ? &o.alpha
                   : key == "stage_sigma"  ? &o.stage_sigma
                   : key == "choice_sigma" ? &o.choice_sigma
                   : key == "entry_sigma"  ? &o.entry_sigma
                                           : nullptr;
  if (target == nullptr) {
    throw ParseError(fmt::format("unknown synthetic option {} in {}; expected paper, default, fit=, sampler=, live=, "
                                 "scale=, op_noise=, noise=, mix_sigma=, alpha=, stage_sigma=, choice_sigma=, "
                                 "entry_sigma=",
                                 Quoted(key), Quoted(text)));
  }
  const auto number = ParseDouble(value);
  if (!number || *number < 0 || (key == "live" && *number > 1) || (key == "alpha" && *number == 0)) {
    throw ParseError(fmt::format("synthetic option {}: expected a number {}", Quoted(item),
                                 key == "live" ? ">= 0 and <= 1" : key == "alpha" ? "> 0" : ">= 0"));
  }
  *target = *number;
}

}  // namespace

std::string_view SyntheticSamplerName(SyntheticSampler sampler) {
  switch (sampler) {
    case SyntheticSampler::kGaussian: return "gaussian";
    case SyntheticSampler::kLogNormal: return "lognormal";
    case SyntheticSampler::kMixture: return "mixture";
    case SyntheticSampler::kDirichlet: return "dirichlet";
  }
  return "?";
}

SyntheticOptions SyntheticOptions::Parse(std::string_view text, std::string_view space_default) {
  const bool paper_default = Trim(space_default).empty() || space_default == "paper" || space_default == "default";
  const SyntheticOptions base = paper_default ? Paper() : Parse(space_default, "paper");
  SyntheticOptions o = base;
  bool first = true;
  for (const std::string& raw : Split(text, ',')) {
    const std::string_view item = Trim(raw);
    if (item.empty()) continue;
    if (item == "paper" || item == "default") {
      if (!first) throw ParseError(fmt::format("synthetic options {}: preset {} must come first", Quoted(text), item));
      o = item == "paper" ? Paper() : base;
    } else {
      ApplyOption(o, item, text);
    }
    first = false;
  }
  return o;
}

SyntheticOptions SyntheticOptions::DefaultOf(const Space& space) {
  return Parse(space.DefaultSyntheticOptions(), space.DefaultSyntheticOptions());
}

std::string SyntheticOptions::ToString() const {
  std::string s = fmt::format("sampler={},live={:g},scale={:g},op_noise={:g},noise={:g},mix_sigma={:g}",
                              SyntheticSamplerName(sampler), live_prob, scale_sigma, op_noise, measure_noise,
                              mixture_sigma);
  // The paper's fit and the dirichlet settings are printed only when they matter.
  if (fit != LutFitKind::kShared) s = fmt::format("fit={},{}", LutFitKindName(fit), s);
  if (sampler == SyntheticSampler::kDirichlet || alpha != 0.1 || stage_sigma != 0.1 || choice_sigma != 0.2 ||
      entry_sigma != 0.03) {
    s += fmt::format(",alpha={:g},stage_sigma={:g},choice_sigma={:g},entry_sigma={:g}", alpha, stage_sigma,
                     choice_sigma, entry_sigma);
  }
  return s;
}

SyntheticDistribution::SyntheticDistribution(const Space& space, std::vector<LutFit> all_fits,
                                             std::vector<LutFit> live_fits)
    : space_(&space), shape_(SyntheticLut::ZerosOf(space)), stages_(space.PositionStages()) {
  if (all_fits.empty()) throw Error(fmt::format("{} synthetic distribution: no train device fit", space.name()));
  for (const auto* fits : {&all_fits, &live_fits}) {
    for (const LutFit& f : *fits) {
      if (space.IsTestDevice(f.device)) {
        throw Error(fmt::format("{} synthetic distribution: {} is a test device; nothing is fitted on it",
                                space.name(), f.device));
      }
      if (f.lut.cost_ms.size() != shape_.cost_ms.size()) {
        throw Error(fmt::format("{} synthetic distribution: the fit of {} has {} positions, the space {}",
                                space.name(), f.device, f.lut.cost_ms.size(), shape_.cost_ms.size()));
      }
    }
  }
  if (!live_fits.empty() && live_fits.size() != all_fits.size()) {
    throw Error("live-position fits and all-position fits differ in number");
  }
  for (int p = 0; p < space.positions(); ++p) reference_.push_back(space.ReferenceChoice(p));
  // Shared fits: every position holds the same costs, so the entries are those of position 0.
  shared_ = all_fits.front().kind == LutFitKind::kShared;
  for (const auto* fits : {&all_fits, &live_fits}) {
    for (const LutFit& f : *fits) {
      if (f.kind != all_fits.front().kind) throw Error("synthetic distribution: fits of different kinds");
    }
  }
  all_ = FitFamily(std::move(all_fits));
  if (!live_fits.empty()) live_ = FitFamily(std::move(live_fits));
}

std::vector<double> SyntheticDistribution::EntriesOf(const SyntheticLut& lut) const {
  std::vector<double> e{lut.fixed_ms};
  if (shared_) {
    const auto& costs = lut.cost_ms.front();
    for (std::size_t c = 0; c < costs.size(); ++c) {
      if (static_cast<int>(c) != reference_.front()) e.push_back(costs[c]);
    }
  } else {
    for (const auto& position : lut.cost_ms) e.insert(e.end(), position.begin(), position.end());
  }
  return e;
}

SyntheticLut SyntheticDistribution::FromEntries(const std::vector<double>& entries, bool live_only) const {
  SyntheticLut lut = shape_;
  lut.live_only = live_only;
  lut.fixed_ms = entries[0];
  std::size_t k = 1;
  if (shared_) {
    for (std::size_t c = 0; c < lut.cost_ms.front().size(); ++c) {
      if (static_cast<int>(c) == reference_.front()) continue;
      for (auto& position : lut.cost_ms) position[c] = entries[k];
      ++k;
    }
  } else {
    for (auto& position : lut.cost_ms) {
      for (double& v : position) v = entries[k++];
    }
  }
  return lut;
}

std::string SyntheticDistribution::EntryName(int k) const {
  if (k == 0) return "fixed";
  const Space& space = *space_;
  if (shared_) {
    int c = k - 1;
    if (c >= reference_.front()) ++c;
    return space.ChoiceName(0, c);
  }
  int rest = k - 1;
  for (int p = 0; p < space.positions(); ++p) {
    if (rest < space.choices(p)) return fmt::format("{}/{}", space.PositionName(p), space.ChoiceName(p, rest));
    rest -= space.choices(p);
  }
  return "?";
}

SyntheticDistribution::Family SyntheticDistribution::FitFamily(std::vector<LutFit> fits) const {
  Family f;
  f.fits = std::move(fits);
  for (const LutFit& fit : f.fits) {
    f.entries.push_back(EntriesOf(fit.lut));
    f.mean_ms.push_back(fit.lut.MeanRandomLatency());
  }
  const std::size_t k_entries = f.entries.front().size();
  if (f.fits.size() < 2) return f;  // the per-entry samplers need two; dirichlet does not
  std::vector<double> values;
  for (std::size_t k = 0; k < k_entries; ++k) {
    values.clear();
    for (const auto& e : f.entries) values.push_back(e[k]);
    f.gaussian.push_back(GaussianParam{Mean(values), StdDev(values)});
  }
  // Log-space mean and covariance (with a small ridge), then its Cholesky factor.
  const auto n = static_cast<double>(f.fits.size());
  f.log_mean.assign(k_entries, 0.0);
  for (std::size_t k = 0; k < k_entries; ++k) {
    double s = 0;
    for (const auto& e : f.entries) s += LogFloorEntry(e, k);
    f.log_mean[k] = s / n;
  }
  std::vector<std::vector<double>> cov(k_entries, std::vector<double>(k_entries, 0.0));
  for (std::size_t a = 0; a < k_entries; ++a) {
    for (std::size_t b = 0; b < k_entries; ++b) {
      double s = 0;
      for (const auto& e : f.entries) s += (LogFloorEntry(e, a) - f.log_mean[a]) * (LogFloorEntry(e, b) - f.log_mean[b]);
      cov[a][b] = s / (n - 1) + (a == b ? 1e-6 : 0.0);
    }
  }
  auto& l = f.log_chol;
  l.assign(k_entries, std::vector<double>(k_entries, 0.0));
  for (std::size_t i = 0; i < k_entries; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = cov[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      l[i][j] = i == j ? std::sqrt(std::max(s, 1e-12)) : s / l[j][j];
    }
  }
  return f;
}

SyntheticLut SyntheticDistribution::SampleFrom(const Family& family, const SyntheticOptions& options,
                                               std::mt19937_64& rng) const {
  if (options.sampler == SyntheticSampler::kDirichlet) return SampleDirichlet(family, options, rng);
  if (options.sampler != SyntheticSampler::kMixture && family.fits.size() < 2) {
    throw Error(fmt::format("synthetic sampler {} needs at least two fitted devices, not {}",
                            SyntheticSamplerName(options.sampler), family.fits.size()));
  }
  const std::size_t k_entries = family.entries.front().size();
  std::vector<double> e(k_entries, 0.0);
  switch (options.sampler) {
    case SyntheticSampler::kGaussian:
      for (std::size_t k = 0; k < k_entries; ++k) e[k] = SamplePositive(family.gaussian[k], rng);
      break;
    case SyntheticSampler::kLogNormal: {
      std::normal_distribution<double> normal(0.0, 1.0);
      std::vector<double> z(k_entries);
      for (double& v : z) v = normal(rng);
      for (std::size_t i = 0; i < k_entries; ++i) {
        double x = family.log_mean[i];
        for (std::size_t j = 0; j <= i; ++j) x += family.log_chol[i][j] * z[j];
        e[i] = std::exp(x);
      }
      break;
    }
    case SyntheticSampler::kMixture: {
      std::uniform_int_distribution<std::size_t> pick(0, family.fits.size() - 1);
      const std::vector<double>& base = family.entries[pick(rng)];
      // Sign-preserving: a fitted skip is often cheaper than the reference (a negative cost).
      std::normal_distribution<double> normal(0.0, options.mixture_sigma);
      for (std::size_t k = 0; k < k_entries; ++k) e[k] = base[k] * std::exp(normal(rng));
      break;
    }
    case SyntheticSampler::kDirichlet: break;
  }
  return FromEntries(e, &family == &live_);
}

SyntheticLut SyntheticDistribution::SampleDirichlet(const Family& family, const SyntheticOptions& options,
                                                    std::mt19937_64& rng) const {
  for (std::size_t k = 0; k < family.fits.size(); ++k) {
    const double m = family.mean_ms[k];
    if (!(m > 0) || !std::isfinite(m)) {
      throw Error(fmt::format("synthetic sampler dirichlet: the fit of {} has a mean latency of {} ms",
                              family.fits[k].device, m));
    }
  }
  // 1. Dirichlet(alpha) weights (Gamma draws, normalized); redrawn in the (rare) all-zero case.
  std::vector<double> w(family.fits.size(), 0.0);
  double total = 0;
  while (!(total > 0)) {
    std::gamma_distribution<double> gamma(options.alpha, 1.0);
    total = 0;
    for (double& x : w) total += (x = gamma(rng));
  }
  SyntheticLut lut = shape_;
  lut.live_only = &family == &live_;
  double log_scale = 0;
  for (std::size_t k = 0; k < family.fits.size(); ++k) {
    const double wk = w[k] / total;
    const double f = wk / family.mean_ms[k];
    log_scale += wk * std::log(family.mean_ms[k]);
    const SyntheticLut& fit = family.fits[k].lut;
    lut.fixed_ms += f * fit.fixed_ms;
    for (std::size_t p = 0; p < lut.cost_ms.size(); ++p) {
      for (std::size_t c = 0; c < lut.cost_ms[p].size(); ++c) lut.cost_ms[p][c] += f * fit.cost_ms[p][c];
    }
  }
  // 2. Per-stage and per-choice scaling, 3. per-entry noise; then back to the mixture's scale.
  const int num_stages = stages_.empty() ? 0 : *std::max_element(stages_.begin(), stages_.end()) + 1;
  std::size_t num_choices = 0;
  for (const auto& position : lut.cost_ms) num_choices = std::max(num_choices, position.size());
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> stage_factor;
  for (int s = 0; s < num_stages; ++s) stage_factor.push_back(std::exp(options.stage_sigma * normal(rng)));
  std::vector<double> choice_factor(num_choices);
  for (double& f : choice_factor) f = std::exp(options.choice_sigma * normal(rng));
  const double scale = std::exp(log_scale);
  lut.fixed_ms *= scale * std::exp(options.entry_sigma * normal(rng));
  for (std::size_t p = 0; p < lut.cost_ms.size(); ++p) {
    const double sf = stage_factor[static_cast<std::size_t>(stages_[p])];
    for (std::size_t c = 0; c < lut.cost_ms[p].size(); ++c) {
      lut.cost_ms[p][c] *= scale * sf * choice_factor[c] * std::exp(options.entry_sigma * normal(rng));
    }
  }
  return lut;
}

SyntheticLut SyntheticDistribution::SampleDevice(std::mt19937_64& rng, const SyntheticOptions& options) const {
  if (options.fit != kind()) {
    throw Error(fmt::format("synthetic options fit={} on a distribution of fit={} tables", LutFitKindName(options.fit),
                            LutFitKindName(kind())));
  }
  // Draws happen in a fixed order whatever the options, so that a device is a pure function
  // of the rng state and the options.
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const bool has_live = !live_.fits.empty();
  const bool live = options.live_prob > 0 && has_live && uniform(rng) < options.live_prob;
  if (options.live_prob > 0 && !has_live) {
    throw Error(fmt::format("synthetic option live > 0: the {} space has no dead positions to drop", space_->name()));
  }
  const SyntheticLut base = SampleFrom(live ? live_ : all_, options, rng);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double scale = options.scale_sigma > 0 ? std::exp(options.scale_sigma * normal(rng)) : 1.0;
  SyntheticLut d = base;
  d.measure_noise = options.measure_noise;
  d.fixed_ms = base.fixed_ms * scale;
  for (std::size_t p = 0; p < d.cost_ms.size(); ++p) {
    for (std::size_t c = 0; c < d.cost_ms[p].size(); ++c) {
      if (static_cast<int>(c) == reference_[p]) {
        d.cost_ms[p][c] = base.cost_ms[p][c] * scale;
        continue;
      }
      const double noise = options.op_noise > 0 ? std::exp(options.op_noise * normal(rng)) : 1.0;
      d.cost_ms[p][c] = base.cost_ms[p][c] * scale * noise;
    }
  }
  d.floor_ms = d.MinLatency();
  return d;
}

SyntheticLut SyntheticDistribution::Sample(std::uint64_t seed, const SyntheticOptions& options) const {
  std::mt19937_64 rng(seed);
  return SampleDevice(rng, options);
}

LutFitKind SyntheticDistribution::kind() const { return shared_ ? LutFitKind::kShared : LutFitKind::kPerPosition; }

SyntheticDistribution FitSyntheticDistribution(const CandidateSet& candidates,
                                               const std::vector<const LatencyTable*>& tables, LutFitKind kind) {
  const Space& space = candidates.space();
  std::vector<LutFit> all, live;
  for (const LatencyTable* table : tables) {
    if (space.IsTestDevice(table->name())) {
      throw Error(fmt::format("refusing to fit synthetic devices on test device {}", table->name()));
    }
    all.push_back(FitLut(candidates, *table, kind));
    if (space.HasDeadPositions()) live.push_back(FitLut(candidates, *table, kind, /*live_only=*/true));
  }
  return SyntheticDistribution(space, std::move(all), std::move(live));
}

SyntheticDistribution FitSyntheticDistribution(const SpaceData& data, LutFitKind kind,
                                               const std::vector<std::string>& exclude) {
  std::vector<const LatencyTable*> tables;
  for (const std::string& device : data.TrainDevices()) {
    if (std::find(exclude.begin(), exclude.end(), device) != exclude.end()) continue;
    tables.push_back(&data.DeviceTable(device));
  }
  return FitSyntheticDistribution(data.Numbering(), tables, kind);
}

SyntheticComparison CompareSynthetic(const std::vector<SyntheticLut>& devices, const CandidateSet& candidates,
                                     const std::vector<const LatencyTable*>& real, const std::vector<bool>& is_test) {
  if (real.size() != is_test.size()) throw Error("synthetic comparison: one split flag per real table needed");
  // Spearman = Pearson on average ranks: rank every device once.
  std::vector<std::vector<double>> syn_ranks;
  for (const SyntheticLut& d : devices) syn_ranks.push_back(Ranks(d.LatenciesOf(candidates)));
  std::vector<std::vector<double>> real_ranks;
  for (const LatencyTable* t : real) {
    if (static_cast<int>(t->values().size()) != candidates.size()) {
      throw Error(fmt::format("synthetic comparison: table {} has {} latencies for {} architectures", t->name(),
                              t->values().size(), candidates.size()));
    }
    real_ranks.push_back(Ranks(t->values()));
  }
  SyntheticComparison c;
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
    SyntheticComparison::Real r;
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
