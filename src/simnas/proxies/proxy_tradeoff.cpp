#include "simnas/proxies/proxy_tradeoff.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"

namespace simnas {

namespace {

constexpr std::string_view kCostPrefix = "BM_ScoreCost/";

double ToMilliseconds(double value, const std::string& unit, const std::filesystem::path& file) {
  if (unit == "ns") return value / 1e6;
  if (unit == "us") return value / 1e3;
  if (unit == "ms") return value;
  if (unit == "s") return value * 1e3;
  throw DataError(fmt::format("{}: unknown time unit '{}'", file.string(), unit));
}

}  // namespace

std::map<std::string, double> LoadScoreCosts(const std::filesystem::path& benchmark_json) {
  std::map<std::string, double> costs;
  const std::string text = ReadFile(benchmark_json);  // names the file when it cannot be read
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    for (const nlohmann::json& run : j.at("benchmarks")) {
      const std::string name = run.value("run_name", run.value("name", ""));
      if (name.rfind(kCostPrefix, 0) != 0 || run.value("aggregate_name", "") != "median") continue;
      const std::string rest = name.substr(kCostPrefix.size());
      const std::string score = rest.substr(0, rest.find('/'));
      costs[score] = ToMilliseconds(run.at("real_time").get<double>(), run.value("time_unit", "ns"), benchmark_json);
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{}: not a Google Benchmark JSON file ({})", benchmark_json.string(), e.what()));
  }
  if (costs.empty()) {
    throw DataError(fmt::format("{}: no median of a {}<score> benchmark (run proxies_bench with "
                                "--benchmark_filter=ScoreCost --benchmark_out=FILE)",
                                benchmark_json.string(), kCostPrefix));
  }
  return costs;
}

std::string TradeoffScript(const std::vector<TradeoffPoint>& points, const std::string& title,
                           const std::string& ceiling_label) {
  std::string s;
  s += fmt::format("set title {}\n", GnuplotQuote(title));
  s += "unset key\nset logscale x 10\nset format x '%g'\nset grid xtics ytics lc rgb '#dddddd'\n";
  s += "set xlabel 'cost per cell, ms (one thread, log scale)'\n";
  s += fmt::format("set ylabel {}\n", GnuplotQuote(ceiling_label));
  s += "set cblabel 'Kendall tau with accuracy'\nset palette defined (0 '#3b4cc0', 0.5 '#bbbbbb', 1 '#b40426')\n";
  s += "set offsets graph 0.08, graph 0.25, graph 0.05, graph 0.05\n";
  // Data inline: x y tau "label" bold(0/1).
  s += "$points << EOD\n";
  for (const TradeoffPoint& p : points) {
    if (!std::isfinite(p.cost_ms) || p.cost_ms <= 0 || !std::isfinite(p.ceiling)) continue;
    std::string label = p.name;
    std::replace(label.begin(), label.end(), '"', '\'');
    s += fmt::format("{:.6g} {:.6g} {:.6g} \"{}\" {}\n", p.cost_ms, p.ceiling, p.kendall_tau, label, p.aggregate ? 1 : 0);
  }
  s += "EOD\n";
  s += "plot $points using 1:2:3 with points pt 7 ps 1.6 palette, "
       "$points using 1:2:($5 == 1 ? stringcolumn(4) : '') with labels offset 1,0.6 left font ',10:Bold', "
       "$points using 1:2:($5 == 0 ? stringcolumn(4) : '') with labels offset 1,-0.6 left font ',9'\n";
  return s;
}

}  // namespace simnas
