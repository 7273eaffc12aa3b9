#include "simnas/controller/controller_runner.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

int ControllerStartCode(const EnvConfig& env, const WalkTables& tables, std::mt19937_64& rng) {
  switch (env.start) {
    case StartKind::kRandom: return std::uniform_int_distribution<int>(0, tables.size - 1)(rng);
    case StartKind::kBestProxy: return tables.by_proxy.front();
    case StartKind::kPriorQuantile: return tables.BestProxyBelowPriorQuantile(env.start_quantile);
    case StartKind::kTopK:
      return tables.by_proxy[static_cast<std::size_t>(
          std::uniform_int_distribution<int>(0, std::min(env.top_k, tables.size) - 1)(rng))];
  }
  return tables.by_proxy.front();
}

Episode RunController(const ControllerModel& model, const WalkTables& tables, LatencyOracle& oracle,
                      const RunOptions& options) {
  const int num_actions = tables.num_actions();
  if (model.num_actions() != num_actions) {
    throw DataError(fmt::format("this controller's policy has {} actions; the edit walk over the {} space has {} "
                                "({} positions x {} choices): use a model trained on that space",
                                model.num_actions(), tables.candidates.space().name(), num_actions, tables.positions,
                                tables.max_choices));
  }
  if (model.observation_size() != ObservationSize(model.env, num_actions)) {
    throw DataError("controller model: inconsistent sizes");
  }
  if (options.probe_budget < 1) throw ParseError("the controller needs a probe budget of at least 1");
  std::mt19937_64 rng(options.seed);
  Episode episode(&model.env, &tables);
  episode.Reset(ControllerStartCode(model.env, tables, rng), options.budget_ms, options.probe_budget, oracle);
  std::vector<float> obs(static_cast<std::size_t>(model.observation_size()));
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(num_actions));
  std::vector<float> logits(static_cast<std::size_t>(num_actions));
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  while (!episode.Done()) {
    episode.Observe(obs.data());
    episode.Mask(mask.data());
    model.Logits(obs.data(), logits.data());
    const int chosen = options.greedy ? ArgmaxAction(logits.data(), mask.data(), num_actions)
                                      : SampleAction(logits.data(), mask.data(), num_actions, u01(rng));
    episode.Step(chosen, oracle);
  }
  return episode;
}

}  // namespace simnas
