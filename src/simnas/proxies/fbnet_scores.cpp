#include "simnas/proxies/fbnet_scores.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/proxies/fbnet_proxy_table.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_cost.h"

namespace simnas {

ScoreTable MakeFbnetScores(const FbnetNumbering& candidates, const std::string& source, const FbnetScoreFiles& files) {
  if (source == "macs") {
    std::vector<double> scores;
    scores.reserve(candidates.archs().size());
    for (const FbnetArch& a : candidates.archs()) scores.push_back(static_cast<double>(FbnetMultiplyAdds(a)));
    return ScoreTable("multiply-adds", std::move(scores));
  }
  if (files.configs_dir.empty() || (files.proxy_tables_dir.empty() && files.table_file.empty())) {
    throw ParseError(fmt::format("FBNet objective '{}': a proxy recipe needs the recipes file and the FBNet proxy "
                                 "table; the only source without them is macs",
                                 source));
  }
  const ProxyAggregate recipe = ParseProxyAggregate(source, files.configs_dir);
  const std::filesystem::path path =
      files.table_file.empty() ? FbnetProxyTableFile(files.proxy_tables_dir) : files.table_file;
  const FbnetProxyTable table = LoadFbnetProxyTable(path, candidates.archs());
  return ScoreTable("proxy " + source, FbnetAggregateScores(table, recipe));
}

}  // namespace simnas
