#include "simnas/controller/controller_runner.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "simnas/core/error.h"

namespace simnas {

Cell ControllerStartCell(const EnvConfig& env, const CellTables& tables, std::mt19937_64& rng) {
  switch (env.start) {
    case StartKind::kRandom: return Cell::FromCode(std::uniform_int_distribution<int>(0, kNumCells - 1)(rng));
    case StartKind::kBestProxy: return Cell::FromCode(tables.by_proxy.front());
    case StartKind::kPriorQuantile: return Cell::FromCode(tables.BestProxyBelowPriorQuantile(env.start_quantile));
    case StartKind::kTopK:
      return Cell::FromCode(tables.by_proxy[static_cast<std::size_t>(
          std::uniform_int_distribution<int>(0, std::min(env.top_k, kNumCells) - 1)(rng))]);
  }
  return Cell::FromCode(tables.by_proxy.front());
}

Episode RunController(const ControllerModel& model, const CellTables& tables, LatencyOracle& oracle,
                      const RunOptions& options) {
  if (model.observation_size() != ObservationSize(model.env)) throw DataError("controller model: inconsistent sizes");
  if (options.probe_budget < 1) throw ParseError("the controller needs a probe budget of at least 1");
  std::mt19937_64 rng(options.seed);
  Episode episode(&model.env, &tables);
  episode.Reset(ControllerStartCell(model.env, tables, rng), options.budget_ms, options.probe_budget, oracle);
  std::vector<float> obs(static_cast<std::size_t>(model.observation_size()));
  std::array<std::uint8_t, kNumActions> mask{};
  std::array<float, kNumActions> logits{};
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  while (!episode.Done()) {
    episode.Observe(obs.data());
    episode.Mask(mask.data());
    model.Logits(obs.data(), logits.data());
    const int chosen = options.greedy ? ArgmaxAction(logits.data(), mask.data(), kNumActions)
                                      : SampleAction(logits.data(), mask.data(), kNumActions, u01(rng));
    episode.Step(chosen, oracle);
  }
  return episode;
}

}  // namespace simnas
