#include "simnas/strategies/one_proxy.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/latency_model/feature_linear.h"
#include "simnas/space/space.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/strategies/pareto.h"

namespace simnas {

const LatencyTable& SelectProxyDevice(const std::vector<const LatencyTable*>& tables, const std::string& name) {
  if (tables.empty()) throw Error("no train device table to use as the proxy device");
  if (!name.empty()) {
    for (const LatencyTable* t : tables) {
      if (t->name() == name) return *t;
    }
    throw Error(fmt::format("proxy device {} is not among the train device tables of this search", Quoted(name)));
  }
  if (tables.size() == 1) return *tables.front();
  return *tables[ChooseProxyDevice(tables)];
}

std::vector<int> StratifiedSample(const std::vector<double>& predicted, int count, std::uint64_t seed) {
  std::vector<int> order(predicted.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return predicted[static_cast<std::size_t>(a)] < predicted[static_cast<std::size_t>(b)];
  });
  std::mt19937_64 rng(seed);
  std::vector<int> out;
  const auto n = static_cast<long>(order.size());
  for (int s = 0; s < count; ++s) {
    const long begin = n * s / count, end = n * (s + 1) / count;
    if (end <= begin) continue;
    std::uniform_int_distribution<long> pick(begin, end - 1);
    out.push_back(order[static_cast<std::size_t>(pick(rng))]);
  }
  return out;
}

void OneProxyStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const CandidateSet& candidates = *context.candidates;
  const ScoreTable& proxy = *context.scores;
  const std::string encoding =
      options_.encoding.empty() ? context.space().EncodingNames().front() : options_.encoding;
  // 1. Proxy device and its linear latency model.
  const LatencyTable& proxy_table = SelectProxyDevice(context.train_tables, options_.proxy_device);
  const LinearLatencyModel model = FitLinearLatencyModel(proxy_table, candidates, encoding);
  const Eigen::MatrixXd x = EncodeCandidates(candidates, encoding);
  const std::vector<double> base = model.PredictAll(x);

  // 2. Sample set A, measured on the target.
  const int budget = session.remaining();
  if (budget <= 0) return;
  const int sample_count = std::max(1, std::min(budget - 1, static_cast<int>(std::ceil(options_.sample_share * budget))));
  std::vector<int> sampled;
  std::vector<double> ms;
  for (int index : StratifiedSample(base, sample_count, task.seed)) {
    const Arch& arch = candidates.at(index);
    if (session.WasProbed(arch)) continue;
    const ProbeRecord* r = session.TryProbe(arch);
    if (r == nullptr) return;
    if (r->failed()) continue;  // no latency: the sample goes on without it
    sampled.push_back(index);
    ms.push_back(r->measurement.latency_ms);
  }

  // 3. Check monotonicity on A; adapt the proxy when it is weak.
  std::vector<double> base_on_a;
  Eigen::MatrixXd x_on_a(static_cast<Eigen::Index>(sampled.size()), x.cols());
  for (std::size_t k = 0; k < sampled.size(); ++k) {
    base_on_a.push_back(base[static_cast<std::size_t>(sampled[k])]);
    x_on_a.row(static_cast<Eigen::Index>(k)) = x.row(sampled[k]);
  }
  const double srcc = sampled.size() >= 3 ? Spearman(ms, base_on_a) : std::nan("");
  const bool strong = !std::isnan(srcc) && srcc >= options_.srcc_threshold;
  AdaProxyOptions ada = options_.adaproxy;
  if (strong) ada.min_samples_for_validation = INT_MAX;  // scale only: L_d0 keeps its ranking
  if (sampled.empty()) return;  // every sample failed: nothing to adapt to
  const AdaProxyFit fit = FitAdaProxy(model, x_on_a, ms, ada);
  const std::vector<double> predicted = fit.adapted.PredictAll(x);
  spdlog::debug("one-proxy: proxy device {}, |A| = {}, SRCC on A {:.3f} ({}), alpha {:.4g}, lambda ratio {:.3g}",
                proxy_table.name(), sampled.size(), srcc, strong ? "kept" : "adapted", fit.alpha, fit.lambda_ratio);

  // 4. The Pareto set of (predicted latency, proxy).
  std::vector<int> front = ParetoFront(predicted, proxy);
  auto cell_at = [&](std::size_t pos) { return candidates.at(front[pos]); };
  auto pred_at = [&](std::size_t pos) { return predicted[static_cast<std::size_t>(front[pos])]; };

  // 5. Measure its members.
  if (!task.latency_budget_ms) {
    for (std::size_t pos : SpreadPositions(front.size(), static_cast<std::size_t>(session.remaining()))) {
      if (session.remaining() <= 0 || session.TryProbe((cell_at(pos))) == nullptr) break;
    }
  } else {
    const double limit = *task.latency_budget_ms;
    // A member whose probe failed has no latency: it leaves the set, and the walk goes on without it.
    long size = static_cast<long>(front.size());
    // Start at the member predicted to be the slowest feasible one.
    const auto start = [&] {
      long pos_start = 0;
      for (long pos = 0; pos < size; ++pos) {
        if (pred_at(static_cast<std::size_t>(pos)) <= limit) pos_start = pos;
      }
      return pos_start;
    };
    // The highest member whose prediction, rescaled by measured/predicted of `pos`, fits.
    auto rescaled = [&](long pos) {
      const double ratio = session.Find((cell_at(static_cast<std::size_t>(pos))))->measurement.latency_ms /
                           pred_at(static_cast<std::size_t>(pos));
      long best = -1;
      for (long k = 0; k < size; ++k) {
        if (pred_at(static_cast<std::size_t>(k)) * ratio <= limit) best = k;
      }
      return best;
    };
    while (session.remaining() > 0 && size > 0) {
      // feasible: the highest member measured feasible; infeasible: the lowest measured above it.
      long feasible = -1, infeasible = size;
      for (long pos = 0; pos < size; ++pos) {
        const ProbeRecord* r = session.Find((cell_at(static_cast<std::size_t>(pos))));
        if (r != nullptr && r->measurement.latency_ms <= limit) feasible = pos;
      }
      for (long pos = feasible + 1; pos < size; ++pos) {
        if (session.Find((cell_at(static_cast<std::size_t>(pos)))) != nullptr) {
          infeasible = pos;
          break;
        }
      }
      long next = -1;
      if (feasible < 0 && infeasible == size) {
        next = start();  // nothing of the set measured yet
      } else if (feasible >= 0 && infeasible < size) {
        if (infeasible - feasible > 1) {
          next = (feasible + infeasible) / 2;  // bracketed: bisect
        } else {
          for (long pos = infeasible + 1; pos < size && next < 0; ++pos) {  // closed: the members above
            if (!session.WasProbed((cell_at(static_cast<std::size_t>(pos))))) next = pos;
          }
        }
      } else if (feasible < 0) {
        if (infeasible == 0) break;  // even the fastest member is over the budget
        next = std::clamp(rescaled(infeasible), 0L, infeasible - 1);  // step down, at least one member
      } else {
        if (feasible == size - 1) break;  // the whole set fits: its best member is measured
        next = std::clamp(rescaled(feasible), feasible + 1, size - 1);  // step up, at least one member
      }
      if (next < 0) break;
      const ProbeRecord* r = session.TryProbe((cell_at(static_cast<std::size_t>(next))));
      if (r == nullptr) break;
      if (r->failed()) {
        front.erase(front.begin() + next);
        --size;
      }
    }
  }

  // 6. Drop members that are not Pareto-optimal by measured latency.
  if (spdlog::should_log(spdlog::level::debug)) {
    std::vector<ProbeRecord> members;
    for (int index : front) {
      if (const ProbeRecord* r = session.Find(candidates.at(index))) members.push_back(*r);
    }
    const std::vector<ProbeRecord> kept = MeasuredParetoFront(members, proxy);
    spdlog::debug("one-proxy: {} Pareto members measured, {} stay Pareto-optimal on the target", members.size(),
                  kept.size());
  }
}

}  // namespace simnas
