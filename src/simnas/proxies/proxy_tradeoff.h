// What a proxy costs against what it buys (issue 11): per score, its cost per cell from the
// speed benchmark, and a gnuplot figure of cost, within-budget ceiling and Kendall tau, which
// `simnas proxies --report --costs FILE --plot PREFIX` prints and draws.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace simnas {

// The median cost per cell in milliseconds of every score timed by `BM_ScoreCost/<score>` in a
// Google Benchmark JSON file (bench/proxies_bench --benchmark_filter=ScoreCost
// --benchmark_out=FILE), keyed by score name. Throws DataError naming the file when it is not
// such a JSON file or times no score.
std::map<std::string, double> LoadScoreCosts(const std::filesystem::path& benchmark_json);

struct TradeoffPoint {
  std::string name;
  bool aggregate = false;
  double kendall_tau = 0;
  double ceiling = 0;  // mean accuracy, percent
  double cost_ms = 0;  // per cell; points without a finite positive cost are left out
};

// A gnuplot script (RenderGnuplot adds terminal and output): cost on a log x axis, ceiling on y,
// Kendall tau as the point's colour, each point labelled by its name (aggregates in bold).
std::string TradeoffScript(const std::vector<TradeoffPoint>& points, const std::string& title,
                           const std::string& ceiling_label);

}  // namespace simnas
