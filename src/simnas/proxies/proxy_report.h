// How well a proxy table ranks cells, and where one cell's values fall in a table: what
// `simnas proxies --report` (with the ceilings of bench/proxy_ceiling.h) and `simnas proxies
// --index N` print.
#pragma once

#include <cstdint>
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

// The scores `simnas proxies --report` judges, by NATS-Bench index (NaN where the table has no
// row): every proxy column of the table (naswot, logsynflow, skip where the table has it, then the
// zoo's), then every recipe whose proxies the table has, computed over the rows the table has (all
// of them for a complete table; a sample's own normalization for a partial one).
struct ReportedScore {
  std::string name;
  bool aggregate = false;
  std::vector<double> score;
};
std::vector<ReportedScore> ReportedScores(const ProxyTable& table, const std::vector<ProxyAggregate>& recipes);

// Kendall tau and Spearman of a score with accuracy over the cells where the score is not NaN
// (-inf ranks below every finite value); `cells` = their number.
struct RankAgreement {
  int cells = 0;
  double kendall_tau = 0;
  double spearman = 0;
};
RankAgreement AgreementWithAccuracy(const std::vector<double>& score, const std::vector<double>& accuracy);

// For a space without an accuracy table: how each score of the table ranks networks like their
// size. Spearman's rho of the column with the multiply-adds (flops), the parameter count (params)
// and `reference` (one score per row, e.g. the space's default recipe), over the rows whose zoo is
// computed (every present row when the table has no zoo column but params and flops). Columns:
// naswot, logsynflow, then the zoo's columns that vary (not params, flops, az_complexity). Throws
// DataError when the table has no params or flops column or fewer than 3 rows qualify.
struct SizeCorrelation {
  std::string column;
  std::int64_t rows = 0;
  double rho_flops = 0;
  double rho_params = 0;
  double rho_reference = 0;
};
std::vector<SizeCorrelation> SizeCorrelations(const ProxyTable& table, const std::vector<double>& reference);

}  // namespace simnas
