// What an FBNet search maximizes: a named score per candidate (HELP's 5,000 networks, in the
// numbering's order), higher is better. FBNet has no accuracy table, so this is always a
// stand-in (a proxy) and is never called accuracy; reports print its name.
// One function makes it (MakeFbnetObjective), for the CLI and the benchmark alike. Sources:
//  - "macs": multiply-adds of the network (fbnet_cost.h), the only source so far.
//  - seam: a proxy table of the 5,000 (e.g. tables/proxies/fbnet/cifar100.csv, NASWOT +
//    LogSynflow) will be a second source here; callers then pass its name (and path) and
//    nothing else changes.
#pragma once

#include <string>
#include <vector>

#include "simnas/search_space/fbnet/fbnet_numbering.h"

namespace simnas {

struct FbnetObjective {
  std::string name;           // printed by reports, e.g. "multiply-adds"
  std::vector<double> scores; // one per candidate, in the numbering's order; higher is better

  double operator()(int index) const { return scores.at(static_cast<std::size_t>(index)); }
};

inline constexpr const char* kFbnetDefaultObjectiveSource = "macs";

// The objective `source` over `candidates`. Throws ParseError for an unknown source, naming the
// known ones.
FbnetObjective MakeFbnetObjective(const FbnetNumbering& candidates, const std::string& source = kFbnetDefaultObjectiveSource);

}  // namespace simnas
