#include "simnas/controller/walk_tables.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/space/space.h"

namespace simnas {

int WalkTables::CodeOf(const Arch& arch) const {
  int code = 0;
  for (int p = 0; p < positions; ++p) code += arch.choice(p) * stride[static_cast<std::size_t>(p)];
  return code;
}

std::string WalkProblem(const CandidateSet& candidates) {
  const Space& space = candidates.space();
  const std::optional<std::int64_t> combinations = space.SpaceSize();
  if (combinations && *combinations == candidates.size() && candidates.complete()) return "";
  return fmt::format("the edit walk needs every combination of the {} space's choices among its candidates ({}), "
                     "and {} holds {}; use the candidate picker (--process picker)",
                     space.name(), combinations ? fmt::format("{}", *combinations) : "more than 2^62",
                     candidates.source(), candidates.size());
}

WalkTables WalkTables::Build(const CandidateSet& candidates, const ScoreTable& proxy,
                             const std::vector<const LatencyTable*>& train_tables) {
  const Space& space = candidates.space();
  if (const std::string problem = WalkProblem(candidates); !problem.empty()) throw ParseError(problem);
  WalkTables t;
  t.candidates = candidates;
  t.positions = space.positions();
  t.size = candidates.size();
  for (int p = 0, stride = 1; p < t.positions; stride *= space.choices(p), ++p) {
    t.choices.push_back(space.choices(p));
    t.stride.push_back(stride);
    t.max_choices = std::max(t.max_choices, space.choices(p));
  }
  const auto P = static_cast<std::size_t>(t.positions);
  t.digits.resize(static_cast<std::size_t>(t.size) * P);
  t.index_of_code.assign(static_cast<std::size_t>(t.size), -1);
  for (int i = 0; i < t.size; ++i) {
    const Arch& arch = candidates.at(i);
    const int code = t.CodeOf(arch);
    if (t.index_of_code[static_cast<std::size_t>(code)] >= 0) {
      throw ParseError(fmt::format("the edit walk needs every combination of the {} space's choices: {} and {} are "
                                   "the same combination",
                                   space.name(), candidates.at(t.index_of_code[static_cast<std::size_t>(code)]).ToString(),
                                   arch.ToString()));
    }
    t.index_of_code[static_cast<std::size_t>(code)] = i;
    std::copy(arch.choices().begin(), arch.choices().end(),
              t.digits.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(code) * P));
  }
  if (proxy.size() != t.size) {
    throw DataError(fmt::format("the edit walk's score {} has {} values for {} candidates", proxy.name(), proxy.size(),
                                t.size));
  }
  if (train_tables.empty()) throw DataError("the controller's latency prior needs at least one train device table");
  const std::string encoding = space.EncodingNames().front();
  const Eigen::MatrixXd x = EncodeCandidates(candidates, encoding);
  t.features = static_cast<int>(x.cols());
  const Eigen::RowVectorXd mean_x = x.colwise().mean();
  t.prior = Eigen::VectorXd::Zero(x.cols());
  for (const LatencyTable* table : train_tables) {
    if (!table->Complete() || static_cast<int>(table->values().size()) != t.size) {
      throw DataError(fmt::format("cannot fit the controller's latency prior to {}: the table is not complete",
                                  table->name()));
    }
    const Eigen::VectorXd w = FitFeatureLinearModel(x, table->values(), table->name()).w;
    const double mean_latency = mean_x.dot(w);
    if (!(mean_latency > 0)) throw DataError("the controller's latency prior got a fit with a non-positive mean");
    t.prior += w / mean_latency;
  }
  t.prior /= static_cast<double>(train_tables.size());

  const auto N = static_cast<std::size_t>(t.size);
  const auto F = static_cast<std::size_t>(t.features);
  t.encoded.resize(N * F);
  t.live.resize(N * P);
  t.proxy.resize(N);
  t.proxy_rank.resize(N);
  t.log_prior.resize(N);
  std::vector<double> scores(N), prior_ms(N);
  for (std::size_t c = 0; c < N; ++c) {
    const int index = t.index_of_code[c];
    const Eigen::VectorXd row = x.row(index);
    std::copy(row.data(), row.data() + row.size(), t.encoded.begin() + static_cast<std::ptrdiff_t>(c * F));
    const std::vector<std::uint8_t> live = space.LivePositions(candidates.at(index));
    std::copy(live.begin(), live.end(), t.live.begin() + static_cast<std::ptrdiff_t>(c * P));
    t.proxy[c] = static_cast<float>(proxy.Normalized(index));
    scores[c] = proxy(index);
    prior_ms[c] = row.dot(t.prior);
  }
  // A prior can put an architecture at or below zero only if its fit is degenerate; keep logs finite.
  const double floor = std::max(*std::min_element(prior_ms.begin(), prior_ms.end()), 1e-9);
  for (std::size_t c = 0; c < N; ++c) t.log_prior[c] = static_cast<float>(std::log(std::max(prior_ms[c], floor)));
  const std::vector<double> ranks = Ranks(scores);
  for (std::size_t c = 0; c < N; ++c) {
    t.proxy_rank[c] = static_cast<float>((ranks[c] - 1) / static_cast<double>(t.size - 1));
  }
  t.by_proxy.resize(N);
  std::iota(t.by_proxy.begin(), t.by_proxy.end(), 0);
  std::stable_sort(t.by_proxy.begin(), t.by_proxy.end(),
                   [&](int a, int b) { return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)]; });
  return t;
}

int WalkTables::BestProxyBelowPriorQuantile(double q) const {
  std::vector<float> sorted = log_prior;
  const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
  const float limit = sorted[k];
  for (int code : by_proxy) {
    if (log_prior[static_cast<std::size_t>(code)] <= limit) return code;
  }
  return by_proxy.front();
}

}  // namespace simnas
