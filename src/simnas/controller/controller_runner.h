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
  int probe_budget = 10;            // distinct cells at most
  std::uint64_t seed = 0;           // start cell (random/top-k starts) and action sampling
  bool greedy = false;              // most likely action instead of sampling
};

// The start cell the model's settings prescribe (random and top-k starts draw from `rng`).
Cell ControllerStartCell(const EnvConfig& env, const CellTables& tables, std::mt19937_64& rng);

// Runs one episode to its end (probe budget spent or horizon reached) and returns it.
// Every latency comes from `oracle`, once per distinct cell, at most probe_budget cells.
Episode RunController(const ControllerModel& model, const CellTables& tables, LatencyOracle& oracle,
                      const RunOptions& options);

}  // namespace simnas
