// The strategies `simnas search --strategy NAME` knows, and the default one.
#pragma once

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

// Throws ParseError for an unknown name (listing the known ones).
std::unique_ptr<Strategy> MakeStrategy(const std::string& name);
std::vector<StrategyInfo> ListStrategies();
// The strategy `simnas search` uses without --strategy.
std::string DefaultStrategyName();

}  // namespace simnas
