// What an FBNet search maximizes: a score table over HELP's 5,000 networks (space/score_table.h).
// FBNet has no accuracy table, so this is always a stand-in (a proxy) and is never called
// accuracy; reports print its name. Sources:
//  - "macs": multiply-adds of the network (fbnet_cost.h); its table is named "multiply-adds".
//  - the name of a proxy recipe (configs/aggregates.json, e.g. "fbnet-freerea" = min-max sum of
//    NASWOT and LogSynflow) over the FBNet proxy table of the 5,000
//    (tables/proxies/fbnet/cifar100.csv, fbnet_proxy_table.h), checked row by row against the
//    candidates' architectures; its table is named "proxy <recipe>".
#pragma once

#include <filesystem>
#include <string>

#include "simnas/space/score_table.h"
#include "simnas/spaces/fbnet/fbnet_numbering.h"

namespace simnas {

// The default source: FreeREA's NASWOT + LogSynflow (min-max sum) over the committed FBNet proxy
// table of the 5,000 (tables/proxies/fbnet/cifar100.csv; docs/proxies-fbnet.md).
inline constexpr const char* kFbnetDefaultScoreSource = "fbnet-freerea";

// Where a recipe source finds its inputs (the Environment's folders).
struct FbnetScoreFiles {
  std::filesystem::path proxy_tables_dir;  // holds fbnet/cifar100.csv
  std::filesystem::path table_file;        // overrides proxy_tables_dir's table when set
  std::filesystem::path configs_dir;       // aggregates.json, the named recipes
};

// The scores `source` gives `candidates`, in their order. Throws ParseError for an unknown source
// (naming the recipes file), DataError for a missing or malformed proxy table or one whose
// architectures are not the candidates'.
ScoreTable MakeFbnetScores(const FbnetNumbering& candidates, const std::string& source, const FbnetScoreFiles& files = {});

}  // namespace simnas
