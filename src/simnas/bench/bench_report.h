// The benchmark report: Markdown tables and PNG figures from the finished runs.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/bench_config.h"
#include "simnas/bench/run_record.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/proxies/proxy_table.h"

namespace simnas {

struct ReportInputs {
  std::string command;    // the command that generated the report (printed at its top)
  std::string revision;   // source revision, if known
  BenchConfig config;
  std::vector<RunRecord> rows;
  std::map<std::string, std::string> ground_truth_sources;
  ProxyAggregate aggregate = ProxyAggregate::kFreeRea;
  std::filesystem::path proxy_dir;  // where the proxy tables were read
};

// Uses only the rows of the current plan (RowsOfPlan over PlanRuns(config)) and says how many
// rows of `rows` it left out as stale. Writes `report_path` (Markdown), its figures into `figures_dir` (PNG + .dat), and
// `summary.csv` next to the figures. Returns the name of the strategy that wins the
// leave-one-device-out group (empty when the config has none).
std::string WriteBenchReport(const ReportInputs& inputs, const BenchmarkData& data,
                             const std::filesystem::path& report_path, const std::filesystem::path& figures_dir);

struct StrategySummary {
  std::string strategy;
  int runs = 0;
  int found = 0;
  int violations = 0;       // answers whose measured latency exceeds the budget (or none found)
  int failed = 0;           // runs whose device failed (counted in runs and violations too)
  double accuracy_mean = 0; // over feasible answers
  double accuracy_std = 0;
  double regret_mean = 0;
  double percentile_mean = 0;
  double probes_mean = 0;
  double wall_mean = 0;
  double reward_mean = 0;   // unconstrained tasks
};

// Summary of `rows` per strategy (rows already filtered by the caller), in the order the
// strategies first appear.
std::vector<StrategySummary> Summarize(const std::vector<const RunRecord*>& rows);

// Ranks strategies for the leave-one-device-out decision: fewest violations first, then
// highest mean accuracy.
std::vector<StrategySummary> RankStrategies(std::vector<StrategySummary> summaries);

}  // namespace simnas
