#include "simnas/strategies/fbnet_objective.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/search_space/fbnet/fbnet_cost.h"

namespace simnas {

FbnetObjective MakeFbnetObjective(const FbnetNumbering& candidates, const std::string& source) {
  if (source == "macs") {
    FbnetObjective objective;
    objective.name = "multiply-adds";
    objective.scores.reserve(candidates.archs().size());
    for (const FbnetArch& a : candidates.archs()) objective.scores.push_back(static_cast<double>(FbnetMultiplyAdds(a)));
    return objective;
  }
  // A proxy-table source (the FBNet proxy table of the 5,000) goes here.
  throw ParseError(fmt::format("FBNet objective '{}': the known sources are: macs", source));
}

}  // namespace simnas
