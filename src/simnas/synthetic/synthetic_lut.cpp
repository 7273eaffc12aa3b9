#include "simnas/synthetic/synthetic_lut.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space.h"

namespace simnas {

SyntheticLut SyntheticLut::ZerosOf(const Space& space) {
  SyntheticLut lut;
  for (int p = 0; p < space.positions(); ++p) lut.cost_ms.emplace_back(static_cast<std::size_t>(space.choices(p)), 0.0);
  return lut;
}

double SyntheticLut::LatencyOfChoices(const std::uint8_t* choices, const std::uint8_t* live) const {
  double ms = fixed_ms;
  for (std::size_t p = 0; p < cost_ms.size(); ++p) {
    if (!live_only || live[p] != 0) ms += cost_ms[p][choices[p]];
  }
  return std::max(ms, floor_ms);
}

double SyntheticLut::Latency(const Arch& arch) const {
  if (arch.choices().size() != cost_ms.size()) {
    throw Error(fmt::format("a synthetic table of {} positions cannot time {}", cost_ms.size(), arch.ToString()));
  }
  if (!live_only) return LatencyOfChoices(arch.choices().data(), nullptr);
  const std::vector<std::uint8_t> live = arch.space().LivePositions(arch);
  return LatencyOfChoices(arch.choices().data(), live.data());
}

double SyntheticLut::Measure(const Arch& arch, std::mt19937_64& rng) const {
  const double ms = Latency(arch);
  if (measure_noise <= 0) return ms;
  std::normal_distribution<double> normal(0.0, measure_noise);
  return ms * std::exp(normal(rng));
}

std::vector<double> SyntheticLut::LatenciesOf(const CandidateSet& candidates) const {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(candidates.size()));
  for (const Arch& a : candidates.archs()) out.push_back(Latency(a));
  return out;
}

double SyntheticLut::MinLatency() const {
  double largest = std::abs(fixed_ms);
  for (const auto& position : cost_ms) {
    for (double v : position) largest = std::max(largest, std::abs(v));
  }
  return 1e-3 * std::max(largest, 1e-9);
}

double SyntheticLut::MeanRandomLatency() const {
  double ms = fixed_ms;
  for (const auto& position : cost_ms) {
    double sum = 0;
    for (const double v : position) sum += v;
    ms += sum / static_cast<double>(position.size());
  }
  return ms;
}

std::pair<double, double> SyntheticLut::Range() const {
  double lo = fixed_ms, hi = fixed_ms;
  for (const auto& position : cost_ms) {
    lo += *std::min_element(position.begin(), position.end());
    hi += *std::max_element(position.begin(), position.end());
  }
  return {std::max(lo, floor_ms), std::max(hi, floor_ms)};
}

std::uint64_t SyntheticLut::Digest() const {
  std::uint64_t h = 14695981039346656037ULL;
  const auto mix = [&h](double v) {
    for (const char c : fmt::format("{:.9g};", v)) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  };
  mix(fixed_ms);
  for (const auto& position : cost_ms) {
    for (const double v : position) mix(v);
  }
  return h;
}

std::string_view LutFitKindName(LutFitKind kind) { return kind == LutFitKind::kShared ? "shared" : "position"; }

LutFit FitLut(const CandidateSet& candidates, const LatencyTable& table, LutFitKind kind, bool live_only) {
  const Space& space = candidates.space();
  const std::string what = fmt::format("{} device {}", space.name(), table.name());
  if (static_cast<int>(table.values().size()) != candidates.size()) {
    throw Error(fmt::format("lookup table of {}: {} architectures but {} latencies", what, candidates.size(),
                            table.values().size()));
  }
  const int positions = space.positions();
  // Feature of every (position, choice): 0 for none (the reference), else its column.
  std::vector<std::vector<int>> column(static_cast<std::size_t>(positions));
  int features = 1;
  if (kind == LutFitKind::kShared) {
    const int choices = space.choices(0), reference = space.ReferenceChoice(0);
    for (int p = 0; p < positions; ++p) {
      if (space.choices(p) != choices || space.ReferenceChoice(p) != reference) {
        throw Error(fmt::format("lookup table of {}: fit=shared needs every position to offer the same choices; "
                                "{} differs from {}",
                                what, space.PositionName(p), space.PositionName(0)));
      }
      for (int c = 0; c < choices; ++c) column[static_cast<std::size_t>(p)].push_back(c == reference ? 0 : 1 + c - (c > reference ? 1 : 0));
    }
    features = choices;
  } else {
    for (int p = 0; p < positions; ++p) {
      for (int c = 0; c < space.choices(p); ++c) {
        column[static_cast<std::size_t>(p)].push_back(c == space.ReferenceChoice(p) ? 0 : features++);
      }
    }
  }
  const std::vector<int> rows = table.KnownIndices();
  if (static_cast<int>(rows.size()) < features) {
    throw Error(fmt::format("lookup table of {}: {} measured architectures, at least {} needed (one per table entry)",
                            what, rows.size(), features));
  }
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), features);
  std::vector<double> y;
  y.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Arch& a = candidates.at(rows[r]);
    const std::vector<std::uint8_t> live = live_only ? space.LivePositions(a) : std::vector<std::uint8_t>{};
    const auto i = static_cast<Eigen::Index>(r);
    x(i, 0) = 1.0;
    for (int p = 0; p < positions; ++p) {
      if (live_only && live[static_cast<std::size_t>(p)] == 0) continue;
      const int col = column[static_cast<std::size_t>(p)][a.choice(p)];
      if (col > 0) x(i, col) += 1.0;
    }
    y.push_back(table.At(rows[r]));
  }
  const FeatureLinearModel model = FitFeatureLinearModel(x, y, what);
  LutFit fit;
  fit.device = table.name();
  fit.kind = kind;
  fit.lut = SyntheticLut::ZerosOf(space);
  fit.lut.live_only = live_only;
  fit.lut.fixed_ms = model.w(0);
  for (int p = 0; p < positions; ++p) {
    auto& costs = fit.lut.cost_ms[static_cast<std::size_t>(p)];
    for (std::size_t c = 0; c < costs.size(); ++c) {
      const int col = column[static_cast<std::size_t>(p)][c];
      costs[c] = col > 0 ? model.w(col) : 0.0;
    }
    if (kind == LutFitKind::kPerPosition) {
      // One choice per position: shifting a position's costs into the fixed part changes no
      // prediction, and leaves every entry non-negative.
      const double lo = *std::min_element(costs.begin(), costs.end());
      for (double& v : costs) v -= lo;
      fit.lut.fixed_ms += lo;
    }
  }
  std::vector<double> predicted;
  predicted.reserve(rows.size());
  for (const int r : rows) {
    const Arch& a = candidates.at(r);
    const std::vector<std::uint8_t> live = live_only ? space.LivePositions(a) : std::vector<std::uint8_t>{};
    predicted.push_back(fit.lut.LatencyOfChoices(a.choices().data(), live.data()));
  }
  fit.r2 = RSquared(predicted, y);
  fit.spearman = Spearman(predicted, y);
  return fit;
}

}  // namespace simnas
