// Evaluating search strategies on a space's device tables with budgets at latency percentiles:
// every run is the benchmark's (BenchRunner::RunUnit: one search and scoring path), the rows
// then summarized by accuracy (EvalRow: feasibility and accuracy of the answers over seeds,
// beside the proxy ceiling, the best score among architectures whose exact latency meets the
// budget, and the oracle, the best accuracy that meets it) or by the score block alone
// (bench_report.h, SummarizeScores) for a space without accuracy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "simnas/bench/bench_report.h"
#include "simnas/bench/run_record.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space_data.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct EvalSpec {
  std::vector<std::string> devices;             // benchmark table names
  std::vector<double> percentiles = {25, 50, 75};
  int seeds = 10;                               // seeds 0 .. seeds-1
  int probes = 10;
  Dataset dataset = Dataset::kCifar100;
  // Train devices also removed from the strategies' context (a held-out group); the
  // evaluated device itself is always removed.
  std::vector<std::string> exclude_from_context;
};

struct EvalRow {
  std::string device;
  double percentile = 0;
  double budget_ms = 0;
  std::string strategy;
  int runs = 0;
  double feasible_rate = 0;
  double mean_accuracy = 0;  // over feasible answers
  double std_accuracy = 0;
  double mean_proxy = 0;     // raw aggregate proxy of feasible answers
  double mean_probes = 0;
  double ceiling_accuracy = 0;  // best proxy score with exact latencies
  double oracle_accuracy = 0;   // best accuracy with exact latencies
};

struct NamedStrategy {
  std::string label;
  Strategy* strategy;  // null: the strategy the label names (MakeStrategy with the given resources)
};

// Every run of `spec` (device x percentile x strategy x seed, in that order) on `data`'s device
// tables, replayed, ranked by `scores` (one per numbered architecture); each device's own table
// and spec.exclude_from_context are withheld from the strategies. Rows name the device by its
// table name. Throws for a device without a complete table or an unknown strategy (before any run).
std::vector<RunRecord> EvaluateRuns(const SpaceData& data, const ScoreTable& scores, const EvalSpec& spec,
                                    const std::vector<NamedStrategy>& strategies,
                                    const StrategyResources& resources = {});

// One row per (device, percentile, strategy), by accuracy. Throws for a device without a
// complete table, or a space without accuracy for spec.dataset.
std::vector<EvalRow> EvaluateOnTables(const SpaceData& data, const ScoreTable& proxy, const EvalSpec& spec,
                                      const std::vector<NamedStrategy>& strategies);

nlohmann::json EvalRowsToJson(const std::vector<EvalRow>& rows);
// A Markdown table: per device (and overall) for each strategy feasibility and mean accuracy,
// with the ceiling and oracle.
std::string EvalRowsToMarkdown(const std::vector<EvalRow>& rows);

// The devices a --devices text names in `data`'s space: "train" / "test" (the space's split),
// else a comma-separated list. Throws DataError for a name without a table (naming the known ones).
std::vector<std::string> DeviceListOf(const SpaceData& data, const std::string& text);

// Scored without accuracy (a space without an accuracy table, or any space judged by its score):
// one row per (device, budget, strategy) in run order, then one per strategy over all runs.
struct ScoreEvalRow {
  std::string device;        // "all": every device and budget
  std::string budget_label;  // "p25", ...; "all"
  double budget_ms = 0;      // 0 for "all"
  int feasible_candidates = 0;  // of the device's table within the budget (0 for "all")
  ScoreSummary summary;
};
std::vector<ScoreEvalRow> SummarizeScoreEval(const std::vector<RunRecord>& runs);

// `space`: its name, for the line saying how answers are scored (proxy regret of `objective`).
nlohmann::json ScoreEvalRowsToJson(const std::vector<ScoreEvalRow>& rows, const std::string& objective,
                                   const std::string& space);
// A Markdown table of the rows, after a line saying what the scores are.
std::string ScoreEvalRowsToMarkdown(const std::vector<ScoreEvalRow>& rows, const std::string& objective,
                                    const std::string& space);

}  // namespace simnas
