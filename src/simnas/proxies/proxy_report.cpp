#include "simnas/proxies/proxy_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/proxies/zoo.h"

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

std::vector<ReportedScore> ReportedScores(const ProxyTable& table, const std::vector<ProxyAggregate>& recipes) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> rows;
  const bool has_skip = !table.skip.empty();  // SkipScore: the spaces that have it
  for (std::size_t i = 0; i < table.size(); ++i) {
    bool present = (!has_skip || !std::isnan(table.skip[i])) && !std::isnan(table.naswot[i]) &&
                   !std::isnan(table.logsynflow[i]);
    for (const auto& [name, column] : table.zoo) present = present && !std::isnan(column[i]);
    if (present) rows.push_back(i);
  }
  // The table restricted to its rows, so that recipes normalize over the cells there are.
  const auto restrict = [&](const std::vector<double>& column) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (std::size_t i : rows) out.push_back(column[i]);
    return out;
  };
  ProxyTable compact;
  compact.dataset = table.dataset;
  compact.source = table.source;
  compact.naswot = restrict(table.naswot);
  compact.logsynflow = restrict(table.logsynflow);
  if (has_skip) compact.skip = restrict(table.skip);
  for (const auto& [name, column] : table.zoo) compact.zoo[name] = restrict(column);
  const auto scatter = [&](const std::vector<double>& values) {
    std::vector<double> out(table.size(), nan);
    for (std::size_t k = 0; k < rows.size(); ++k) out[rows[k]] = values[k];
    return out;
  };
  std::vector<ReportedScore> out;
  std::vector<std::string> names = {"naswot", "logsynflow"};
  if (has_skip) names.emplace_back("skip");
  for (const std::string_view name : kZooProxyNames) {
    if (table.zoo.count(std::string(name)) > 0) names.emplace_back(name);
  }
  for (const std::string& name : names) out.push_back({name, false, scatter(*compact.Column(name))});
  if (rows.size() < 2) return out;
  for (const ProxyAggregate& recipe : recipes) {
    bool available = true;
    for (const std::string& proxy : recipe.proxies) available = available && compact.Column(proxy) != nullptr;
    if (available) out.push_back({recipe.name, true, scatter(ProxyScores(compact, recipe).values())});
  }
  return out;
}

RankAgreement AgreementWithAccuracy(const std::vector<double>& score, const std::vector<double>& accuracy) {
  std::vector<double> s, a;
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (std::isnan(score[i])) continue;
    s.push_back(score[i]);
    a.push_back(accuracy[i]);
  }
  RankAgreement r;
  r.cells = static_cast<int>(s.size());
  if (r.cells < 2) return r;
  s = FiniteForRanking(s);
  r.kendall_tau = KendallTau(s, a);
  r.spearman = Spearman(s, a);
  return r;
}

std::vector<SizeCorrelation> SizeCorrelations(const ProxyTable& table, const std::vector<double>& reference) {
  if (reference.size() != table.size()) {
    throw Error(fmt::format("SizeCorrelations: {} reference scores for {} rows", reference.size(), table.size()));
  }
  const std::vector<double>* flops_column = table.Column("flops");
  const std::vector<double>* params_column = table.Column("params");
  if (flops_column == nullptr || params_column == nullptr) {
    throw DataError(fmt::format("{}: no params or flops column to correlate with", table.source));
  }
  std::vector<std::pair<std::string, const std::vector<double>*>> columns = {{"naswot", &table.naswot},
                                                                             {"logsynflow", &table.logsynflow}};
  for (const auto& [name, column] : table.zoo) {
    if (name != "az_complexity" && name != "params" && name != "flops") columns.emplace_back(name, &column);
  }
  std::sort(columns.begin() + 2, columns.end(), [](const auto& a, const auto& b) {
    return ZooProxyIndex(a.first) < ZooProxyIndex(b.first);
  });
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < table.size(); ++i) {
    bool all = table.Has(i) && !std::isnan(reference[i]);
    for (const auto& [name, column] : columns) all = all && !std::isnan((*column)[i]);
    if (all) rows.push_back(i);
  }
  if (rows.size() < 3) {
    throw DataError(fmt::format("{}: {} rows with every score, too few to correlate", table.source, rows.size()));
  }
  const auto pick = [&](const std::vector<double>& column) {
    std::vector<double> out;
    for (std::size_t i : rows) out.push_back(column[i]);
    return out;
  };
  const std::vector<double> flops = pick(*flops_column), params = pick(*params_column), ref = pick(reference);
  std::vector<SizeCorrelation> out;
  for (const auto& [name, column] : columns) {
    const std::vector<double> x = pick(*column);
    out.push_back({name, static_cast<std::int64_t>(rows.size()), Spearman(x, flops), Spearman(x, params),
                   Spearman(x, ref)});
  }
  return out;
}

}  // namespace simnas
