// `simnas --space fbnet controller eval|loo`: FBNet strategies (the controller among them) on
// HELP's FBNet device tables, replayed (candidates = HELP's 5,000), budgets at latency
// percentiles of each device's table. Every run is the benchmark's (bench_runner.h: BenchRunner::RunUnit,
// scored by its score block) and every summary SummarizeScores', so a
// number here means what it means in docs/benchmark-fbnet.md: FBNet has no trained accuracy,
// answers are scored by proxy regret against the best objective within the budget.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "simnas/bench/bench_report.h"
#include "simnas/bench/run_record.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/space/score_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/registry.h"

namespace simnas {

struct FbnetEvalSpec {
  std::vector<std::string> devices;  // HELP's FBNet table names
  std::vector<double> percentiles = {25, 50, 75};
  int seeds = 10;   // seeds 0 .. seeds-1
  int probes = 10;
  std::vector<std::string> strategies = {"controller", std::string(FbnetSpace().DefaultStrategy()), "random"};
  // Train tables also withheld from every strategy (a held-out group); the evaluated device's own
  // table is always withheld.
  std::vector<std::string> exclude_from_context;
};

// The FBNet devices a --devices text names: "train" / "test" (the FBNet split), else a
// comma-separated list. Throws DataError for a name without an FBNet table (naming the known ones).
std::vector<std::string> FbnetDeviceList(FbnetTables& tables, const std::string& text);

// Every run of `spec` (device x percentile x strategy x seed), in that order; `strategies` are the
// strategies' files (the `controller` strategy's picker model). Throws for a device without an FBNet table or an unknown
// strategy (before any run).
std::vector<RunRecord> EvaluateFbnetOnTables(FbnetTables& tables, const ScoreTable& objective,
                                             const FbnetEvalSpec& spec, const StrategyResources& strategies);

struct FbnetEvalRow {
  std::string device;        // "all": every device and budget
  std::string budget_label;  // "p25", ...; "all"
  double budget_ms = 0;      // 0 for "all"
  int feasible_candidates = 0;  // of the device's table within the budget (0 for "all")
  ScoreSummary summary;
};
// One row per (device, budget, strategy) in run order, then one per strategy over all runs.
std::vector<FbnetEvalRow> SummarizeFbnetEval(const std::vector<RunRecord>& runs);

nlohmann::json FbnetEvalRowsToJson(const std::vector<FbnetEvalRow>& rows, const std::string& objective);
// A Markdown table of the rows, after a line saying what the scores are (proxy regret of
// `objective`, no accuracy).
std::string FbnetEvalRowsToMarkdown(const std::vector<FbnetEvalRow>& rows, const std::string& objective);

}  // namespace simnas
