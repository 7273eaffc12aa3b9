#include "simnas/strategies/safe_climb.h"


#include <algorithm>
#include <cmath>
#include <limits>

#include <spdlog/spdlog.h>

#include "simnas/core/stats.h"
#include "simnas/strategies/pareto.h"

namespace simnas {

void SafeClimbStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const CandidateSet& candidates = *context.candidates;
  const ScoreTable& proxy = *context.scores;
  TargetLatencyModel model(context.train_tables, options_.model);

  if (session.history().empty() && session.remaining() > 0) {
    // First probe: the consensus front member nearest the chosen quantile of consensus latency.
    const std::vector<double>& consensus = model.predictions();
    const std::vector<int> front = ParetoFront(consensus, proxy);
    const double target = Percentile(consensus, 100.0 * options_.first_quantile);
    int first = front.front();
    for (int index : front) {
      if (std::abs(consensus[static_cast<std::size_t>(index)] - target) <
          std::abs(consensus[static_cast<std::size_t>(first)] - target)) {
        first = index;
      }
    }
    if (!task.latency_budget_ms) {
      for (std::size_t pos : SpreadPositions(front.size(), static_cast<std::size_t>(session.remaining()))) {
        if (session.remaining() <= 0 || session.TryProbe((candidates.at(front[pos]))) == nullptr) break;
      }
      return;
    }
    if (session.TryProbe((candidates.at(first))) == nullptr) return;
  }
  if (!task.latency_budget_ms) return;
  const double budget = *task.latency_budget_ms;
  // While every probe so far failed (no latency to fit): the next front member nearest the quantile.
  while (session.measured().empty() && session.remaining() > 0) {
    const std::vector<double>& consensus = model.predictions();
    const double target = Percentile(consensus, 100.0 * options_.first_quantile);
    int next = -1;
    for (int index : ParetoFront(consensus, proxy)) {
      if (session.WasProbed((candidates.at(index)))) continue;
      if (next < 0 || std::abs(consensus[static_cast<std::size_t>(index)] - target) <
                          std::abs(consensus[static_cast<std::size_t>(next)] - target)) {
        next = index;
      }
    }
    if (next < 0 || session.TryProbe((candidates.at(next))) == nullptr) return;
  }

  std::vector<int> order(static_cast<std::size_t>(candidates.size()));  // by decreasing score (ties: lower index)
  for (int i = 0; i < candidates.size(); ++i) order[static_cast<std::size_t>(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return proxy(a) > proxy(b); });

  while (session.remaining() > 0) {
    std::vector<int> indices;
    std::vector<double> ms;
    double best = -std::numeric_limits<double>::infinity();
    for (const ProbeRecord& r : session.measured()) {
      indices.push_back(r.index);
      ms.push_back(r.measurement.latency_ms);
      if (r.measurement.latency_ms <= budget) best = std::max(best, proxy(r.index));
    }
    model.Fit(indices, ms);
    const double loo = model.LeaveOneOutLogRmse();
    const double w = options_.prior_weight;
    const double n = std::isnan(loo) ? 0.0 : static_cast<double>(indices.size());
    const double sigma = std::sqrt((w * options_.sigma_prior * options_.sigma_prior + n * (std::isnan(loo) ? 0 : loo * loo)) /
                                   std::max(1e-12, w + n));
    const bool have_feasible = std::isfinite(best);
    const double z = have_feasible ? options_.z_climb : options_.z_safe;
    const double limit = budget * std::exp(-z * sigma);  // predicted latency must not exceed this

    int next = -1;
    if (have_feasible && options_.climb_rule == 1) {
      double best_gain = 0;
      for (int i : order) {
        if (proxy(i) <= best) break;  // nothing below could improve the answer
        if (session.WasProbed((candidates.at(i)))) continue;
        const double p_fit = 0.5 * std::erfc(-(std::log(budget / model.Predict(i)) / sigma) / std::sqrt(2.0));
        const double gain = p_fit * (proxy(i) - best);
        if (gain > best_gain) {
          best_gain = gain;
          next = i;
        }
      }
    } else {
      for (int i : order) {
        if (proxy(i) <= best) break;  // nothing below could improve the answer
        if (model.Predict(i) > limit) continue;
        if (session.WasProbed((candidates.at(i)))) continue;
        next = i;
        break;
      }
    }
    if (next < 0 && !have_feasible) {
      // Nothing passes the margin: the cell predicted fastest (ties: higher proxy).
      for (int i : order) {
        if (session.WasProbed((candidates.at(i)))) continue;
        if (next < 0 || model.Predict(i) < model.Predict(next)) next = i;
      }
    }
    spdlog::debug("safe-climb: {} probes, sigma {:.3f} (loo {:.3f}), best feasible proxy {:.4f}, next {}",
                  indices.size(), sigma, loo, best, next);
    if (next < 0 || session.TryProbe((candidates.at(next))) == nullptr) return;
  }
}

}  // namespace simnas
