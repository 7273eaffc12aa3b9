#include "simnas/strategies/lut_prior.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/latency_model/feature_linear.h"
#include "simnas/space/space.h"
#include "simnas/core/error.h"
#include "simnas/strategies/pareto.h"

namespace simnas {

LinearLatencyModel MeanLinearLatencyModel(const std::vector<const LatencyTable*>& tables,
                                          const CandidateSet& candidates, const std::string& encoding) {
  if (tables.empty()) throw Error("lut-prior needs at least one train device table");
  LinearLatencyModel mean;
  mean.encoding = encoding;
  for (const LatencyTable* t : tables) {
    const LinearLatencyModel fit = FitLinearLatencyModel(*t, candidates, encoding);
    mean.w = mean.w.size() == 0 ? fit.w : Eigen::VectorXd(mean.w + fit.w);
  }
  mean.w /= static_cast<double>(tables.size());
  return mean;
}

void LutPriorStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const CandidateSet& candidates = *context.candidates;
  const std::string encoding = context.space().EncodingNames().front();
  const LinearLatencyModel prior = MeanLinearLatencyModel(context.train_tables, candidates, encoding);
  const std::vector<double> predicted = prior.PredictAll(EncodeCandidates(candidates, encoding));
  std::vector<int> front = ParetoFront(predicted, *context.scores);
  spdlog::debug("lut-prior: front of {} candidates", front.size());
  // The probe of front member `pos` (measured or failed), or null when the probes are spent.
  auto probe = [&](std::size_t pos) { return session.TryProbe(candidates.at(front[pos])); };

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
  // Then verify in ranked order: the unprobed candidate with the lowest prior latency among
  // those that would beat every feasible one found (ties in prior latency, frequent with a
  // lookup table, go to the higher score). Where the prior misranks the target, one may still fit.
  std::vector<int> ranked(static_cast<std::size_t>(candidates.size()));
  for (int i = 0; i < candidates.size(); ++i) ranked[static_cast<std::size_t>(i)] = i;
  const ScoreTable& proxy = *context.scores;
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
      if (proxy(i) > best && !session.WasProbed(candidates.at(i))) {
        next = i;
        break;
      }
    }
    if (next < 0) return;  // nothing left that could improve the answer
    if (session.TryProbe(candidates.at(next)) == nullptr) return;
  }
}

}  // namespace simnas
