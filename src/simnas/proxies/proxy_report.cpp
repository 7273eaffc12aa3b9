#include "simnas/proxies/proxy_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "simnas/core/stats.h"

namespace simnas {
namespace {

// -inf (a singular NASWOT kernel) ranks below every finite value; stats functions get finite numbers.
std::vector<double> FiniteForRanking(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity();
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x);
  }
  std::vector<double> out(v);
  for (double& x : out) {
    if (!std::isfinite(x)) x = lo - 1;
  }
  return out;
}

}  // namespace

ProxyCellAggregates AggregatesAgainst(const ProxyTable& table, const ProxyValues& v) {
  const std::array<const std::vector<double>*, 3> columns = {&table.naswot, &table.logsynflow, &table.skip};
  const std::array<double, 3> values = {v.naswot, v.logsynflow, v.skip};
  ProxyCellAggregates out;
  for (std::size_t p = 0; p < 3; ++p) {
    const std::vector<double>& col = *columns[p];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double x : col) {
      if (std::isfinite(x)) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    const double x = values[p];
    if (std::isfinite(x) && hi > lo) out.freerea += std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
    double below = 0, equal = 0;
    for (double y : col) {
      below += y < x ? 1 : 0;
      equal += y == x ? 1 : 0;
    }
    // 1-based average rank of x among the column (ties averaged), as if it were one of them.
    const double r = below + (equal + 1) / 2.0;
    out.rank += std::clamp((r - 1) / static_cast<double>(col.size() - 1), 0.0, 1.0);
  }
  return out;
}

ProxyCorrelations CorrelateWithAccuracy(const ProxyTable& table, const std::vector<double>& accuracy) {
  const std::vector<std::pair<std::string, std::vector<double>>> columns = {
      {"naswot", FiniteForRanking(table.naswot)},
      {"logsynflow", table.logsynflow},
      {"skip", table.skip},
      {"freerea", ProxyScores(table, ProxyAggregate::kFreeRea).values()},
      {"rank", ProxyScores(table, ProxyAggregate::kRank).values()}};
  ProxyCorrelations out;
  for (const auto& [name, values] : columns) {
    out.kendall_tau[name] = KendallTau(values, accuracy);
    out.spearman[name] = Spearman(values, accuracy);
  }
  for (double x : table.naswot) out.naswot_singular_cells += std::isfinite(x) ? 0 : 1;
  return out;
}

}  // namespace simnas
