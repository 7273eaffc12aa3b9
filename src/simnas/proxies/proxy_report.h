// How well a proxy table ranks cells, and where one cell's values fall in a table: what
// `simnas proxies --report` and `simnas proxies --index N` print.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table.h"

namespace simnas {

// The two aggregates of one cell's values against a complete table, as ProxyScores computes
// them for the table's own cells: FreeREA's sum of min-max normalized values (clamped to the
// table's range), and the sum of normalized ranks (ties averaged, as if the cell were one of them).
struct ProxyCellAggregates {
  double freerea = 0;
  double rank = 0;
};
ProxyCellAggregates AggregatesAgainst(const ProxyTable& table, const ProxyValues& values);

// Rank correlation of each proxy and aggregate with accuracy over every cell of a complete
// table. Keys: naswot, logsynflow, skip, freerea, rank. A singular NASWOT kernel (-inf) ranks
// below every finite value.
struct ProxyCorrelations {
  std::map<std::string, double> kendall_tau;
  std::map<std::string, double> spearman;
  int naswot_singular_cells = 0;
};
ProxyCorrelations CorrelateWithAccuracy(const ProxyTable& table, const std::vector<double>& accuracy);

}  // namespace simnas
