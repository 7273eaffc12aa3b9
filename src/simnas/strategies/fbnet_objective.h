// What an FBNet search maximizes: a named score per candidate (HELP's 5,000 networks, in the
// numbering's order), higher is better. FBNet has no accuracy table, so this is always a
// stand-in (a proxy) and is never called accuracy; reports print its name.
// One function makes it (MakeFbnetObjective), for the CLI and the benchmark alike. Sources:
//  - "macs": multiply-adds of the network (fbnet_cost.h).
//  - the name of a proxy recipe (configs/aggregates.json, e.g. "fbnet-freerea" = min-max sum of
//    NASWOT and LogSynflow) over the FBNet proxy table of the 5,000
//    (tables/proxies/fbnet/cifar100.csv, proxies/fbnet_proxy_table.h), checked row by row
//    against the candidates' architectures.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "simnas/spaces/fbnet/fbnet_numbering.h"

namespace simnas {

struct FbnetObjective {
  std::string name;           // printed by reports, e.g. "multiply-adds"
  std::vector<double> scores; // one per candidate, in the numbering's order; higher is better

  double operator()(int index) const { return scores.at(static_cast<std::size_t>(index)); }
};

// The default objective: FreeREA's NASWOT + LogSynflow (min-max sum) over the committed FBNet proxy
// table of the 5,000 (tables/proxies/fbnet/cifar100.csv; docs/proxies-fbnet.md).
inline constexpr const char* kFbnetDefaultObjectiveSource = "fbnet-freerea";

// Where a recipe source finds its inputs (the Environment's folders).
struct FbnetObjectiveFiles {
  std::filesystem::path proxy_tables_dir;  // holds fbnet/cifar100.csv
  std::filesystem::path table_file;        // overrides proxy_tables_dir's table when set
  std::filesystem::path configs_dir;       // aggregates.json, the named recipes
};

// The objective `source` over `candidates`. Throws ParseError for an unknown source (naming the
// recipes file), DataError for a missing or malformed proxy table or one whose architectures are
// not the candidates'.
FbnetObjective MakeFbnetObjective(const FbnetNumbering& candidates, const std::string& source,
                                  const FbnetObjectiveFiles& files = {});

}  // namespace simnas
