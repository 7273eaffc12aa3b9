#include "simnas/controller/cell_tables.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {

CellTables CellTables::Build(const SearchSpace& space, const ScoreTable& proxy, const OpLatencyModel& prior) {
  CellTables t;
  t.prior = prior;
  t.proxy.resize(kNumCells);
  t.proxy_rank.resize(kNumCells);
  t.log_prior.resize(kNumCells);
  t.index_of_code.resize(kNumCells);
  std::vector<double> scores(kNumCells);
  double min_prior = 1e300;
  for (int code = 0; code < kNumCells; ++code) min_prior = std::min(min_prior, prior.Latency(Cell::FromCode(code)));
  // A prior can put a cell at or below zero only if its fit is degenerate; keep logs finite.
  const double floor = std::max(min_prior, 1e-9);
  for (int code = 0; code < kNumCells; ++code) {
    const Cell cell = Cell::FromCode(code);
    const int index = space.IndexOf(cell);
    const auto c = static_cast<std::size_t>(code);
    t.index_of_code[c] = index;
    t.proxy[c] = static_cast<float>(proxy.Normalized(index));
    scores[c] = proxy(index);
    t.log_prior[c] = static_cast<float>(std::log(std::max(prior.Latency(cell), floor)));
  }
  const std::vector<double> ranks = Ranks(scores);
  for (std::size_t c = 0; c < ranks.size(); ++c) {
    t.proxy_rank[c] = static_cast<float>((ranks[c] - 1) / static_cast<double>(kNumCells - 1));
  }
  t.by_proxy.resize(kNumCells);
  std::iota(t.by_proxy.begin(), t.by_proxy.end(), 0);
  std::stable_sort(t.by_proxy.begin(), t.by_proxy.end(),
                   [&](int a, int b) { return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)]; });
  return t;
}

int CellTables::BestProxyBelowPriorQuantile(double q) const {
  std::vector<float> sorted = log_prior;
  const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
  const float limit = sorted[k];
  for (int code : by_proxy) {
    if (log_prior[static_cast<std::size_t>(code)] <= limit) return code;
  }
  return by_proxy.front();
}

OpLatencyModel RelativePriorModel(const std::vector<OpLatencyModel>& fits) {
  if (fits.empty()) throw DataError("the controller's latency prior needs at least one train device table");
  OpLatencyModel mean;
  for (const OpLatencyModel& m : fits) {
    // Each op appears on an edge with probability 1/5: the mean over all cells is
    // fixed + 6/5 * sum of op costs.
    double sum_ops = 0;
    for (double v : m.op_ms) sum_ops += v;
    const double mean_latency = m.fixed_ms + 1.2 * sum_ops;
    if (!(mean_latency > 0)) throw DataError("the controller's latency prior got a fit with a non-positive mean");
    mean.fixed_ms += m.fixed_ms / mean_latency;
    for (std::size_t op = 0; op < mean.op_ms.size(); ++op) mean.op_ms[op] += m.op_ms[op] / mean_latency;
  }
  const auto n = static_cast<double>(fits.size());
  mean.fixed_ms /= n;
  for (double& v : mean.op_ms) v /= n;
  return mean;
}

}  // namespace simnas
