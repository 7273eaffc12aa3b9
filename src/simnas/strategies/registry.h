// The strategies `simnas search --strategy NAME` and the benchmark know: one list for every
// space. A strategy that needs what a search lacks (StrategyNeeds: the whole space as
// candidates, a latency budget, a complete table, accuracy) is refused in one line when it runs
// (search_runner.h CheckNeeds). Two names stand for one variant per kind of candidate set:
// `one-proxy` (the paper's Algorithm 1 on the whole space, the refitted table-following variant
// on a sample) and `controller` (the edit walk on the whole space, the candidate picker on a
// sample). `default` is the space's default strategy (Space::DefaultStrategy).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "simnas/space/space.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct StrategyInfo {
  std::string name;
  std::string description;
  bool needs_full_table = false;  // reports only (the oracles)
};

// Files some strategies read: the controllers' models.
struct StrategyResources {
  std::filesystem::path controller_model;                // edit walk, trained for a latency budget
  std::filesystem::path unconstrained_controller_model;  // edit walk, trained for the paper's reward
  std::filesystem::path picker_controller_model;         // candidate picker of the search's space
};

// The strategy `name` ("" or "default": `space`'s default). Throws ParseError for an unknown
// name (listing the known ones). A model file is read on the strategy's first search, not here.
std::unique_ptr<Strategy> MakeStrategy(const std::string& name, const StrategyResources& resources,
                                       const Space& space);
// `name` with "" and "default" resolved to `space`'s default strategy.
std::string ResolveStrategyName(const std::string& name, const Space& space);
// Every strategy, in the order help lists them.
std::vector<StrategyInfo> ListStrategies();
std::vector<std::string> StrategyNames();

}  // namespace simnas
