#include "simnas/strategies/lut_prior.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/core/error.h"
#include "simnas/strategies/pareto.h"

namespace simnas {

OpLatencyModel MeanOpLatencyModel(const std::vector<const LatencyTable*>& tables, const SearchSpace& space) {
  if (tables.empty()) throw Error("lut-prior needs at least one train device table");
  OpLatencyModel mean;
  for (const LatencyTable* t : tables) {
    const OpModelFit fit = FitOpLatencyModel(*t, space);
    mean.fixed_ms += fit.model.fixed_ms;
    for (std::size_t op = 0; op < mean.op_ms.size(); ++op) mean.op_ms[op] += fit.model.op_ms[op];
  }
  const auto n = static_cast<double>(tables.size());
  mean.fixed_ms /= n;
  for (double& v : mean.op_ms) v /= n;
  return mean;
}

void LutPriorStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const OpLatencyModel prior = MeanOpLatencyModel(context.train_tables, *context.space);
  const std::vector<double> predicted = prior.PredictTable(*context.space);
  std::vector<int> front = ParetoFront(predicted, *context.proxy);
  spdlog::debug("lut-prior: front of {} cells", front.size());
  // The probe of front member `pos` (measured or failed), or null when the probes are spent.
  auto probe = [&](std::size_t pos) { return session.TryProbe(ToArch(context.space->CellAt(front[pos]))); };

  if (!task.latency_budget_ms) {
    for (std::size_t pos : SpreadPositions(front.size(), static_cast<std::size_t>(session.remaining()))) {
      if (session.remaining() <= 0 || probe(pos) == nullptr) break;
    }
    return;
  }
  const double budget = *task.latency_budget_ms;
  // Bisection for the boundary: lo = highest member known feasible, hi = lowest known infeasible.
  // A member whose probe failed leaves the front (the members above it move down one place).
  long lo = -1, hi = static_cast<long>(front.size());
  while (hi - lo > 1 && session.remaining() > 0) {
    const long mid = lo + (hi - lo) / 2;
    const ProbeRecord* r = probe(static_cast<std::size_t>(mid));
    if (r == nullptr) return;
    if (r->failed()) {
      front.erase(front.begin() + mid);
      --hi;
      continue;
    }
    if (r->measurement.latency_ms <= budget) lo = mid;
    else hi = mid;
  }
  // Then verify in ranked order: the unprobed cell with the lowest prior latency among those
  // that would beat every feasible cell found (ties in prior latency, frequent with an op
  // table, go to the higher proxy). Where the prior misranks the target, one may still fit.
  std::vector<int> ranked(kNumCells);
  for (int i = 0; i < kNumCells; ++i) ranked[static_cast<std::size_t>(i)] = i;
  const ProxyScores& proxy = *context.proxy;
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    const double la = predicted[static_cast<std::size_t>(a)], lb = predicted[static_cast<std::size_t>(b)];
    return la != lb ? la < lb : proxy(a) > proxy(b);
  });
  while (session.remaining() > 0) {
    double best = -std::numeric_limits<double>::infinity();
    for (const ProbeRecord& r : session.measured()) {
      if (r.measurement.latency_ms <= budget) best = std::max(best, proxy(r.index));
    }
    int next = -1;
    for (int i : ranked) {
      if (proxy(i) > best && !session.WasProbed(ToArch(context.space->CellAt(i)))) {
        next = i;
        break;
      }
    }
    if (next < 0) return;  // nothing left that could improve the answer
    if (session.TryProbe(ToArch(context.space->CellAt(next))) == nullptr) return;
  }
}

}  // namespace simnas
