// Running a trained controller on one device: the deployment loop, shared by the
// `controller` strategy (through a ProbeSession) and by evaluations on tables.
#pragma once

#include <cstdint>
#include <optional>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/episode.h"

namespace simnas {

struct RunOptions {
  std::optional<double> budget_ms;  // required by a budget-trained controller
  int probe_budget = 10;            // distinct architectures at most
  std::uint64_t seed = 0;           // start (random/top-k starts) and action sampling
  bool greedy = false;              // most likely action instead of sampling
};

// The start code the model's settings prescribe (random and top-k starts draw from `rng`).
int ControllerStartCode(const EnvConfig& env, const WalkTables& tables, std::mt19937_64& rng);

// Runs one episode to its end (probe budget spent or horizon reached) and returns it.
// Every latency comes from `oracle`, once per distinct architecture, at most probe_budget of
// them. Throws DataError in one line when the model's actions are not the walk's over the
// tables' space.
Episode RunController(const ControllerModel& model, const WalkTables& tables, LatencyOracle& oracle,
                      const RunOptions& options);

}  // namespace simnas
