// The strategies `simnas search --strategy NAME` knows, and the default one.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "simnas/strategies/strategy.h"

namespace simnas {

struct StrategyInfo {
  std::string name;
  std::string description;
  bool needs_full_table = false;  // reports only (oracle)
};

// Files some strategies read: the controller's models, and the data folder the `oracle`
// report row takes accuracy from.
struct StrategyResources {
  std::filesystem::path controller_model;                // trained for a latency budget
  std::filesystem::path unconstrained_controller_model;  // trained for the paper's reward
  std::filesystem::path fbnet_controller_model;          // --space fbnet: the FBNet decision process's
  std::filesystem::path data_dir;
};

// Throws ParseError for an unknown name (listing the known ones).
std::unique_ptr<Strategy> MakeStrategy(const std::string& name, const StrategyResources& resources);
std::vector<StrategyInfo> ListStrategies();
// The strategy `simnas search` uses without --strategy.
std::string DefaultStrategyName();

}  // namespace simnas
