// Evaluating search strategies on benchmark tables with budgets at latency percentiles:
// feasibility and accuracy of the answers over seeds, beside the proxy ceiling (the best
// proxy score among cells whose exact latency meets the budget) and the oracle (the best
// accuracy that meets it). Accuracy is read here, after each search, for the report only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "simnas/spaces/nb201/benchmark_data.h"
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
  Strategy* strategy;
};

// One row per (device, percentile, strategy). Throws for a device without a complete table.
std::vector<EvalRow> EvaluateOnTables(const BenchmarkData& data, const ScoreTable& proxy, const EvalSpec& spec,
                                      const std::vector<NamedStrategy>& strategies);

nlohmann::json EvalRowsToJson(const std::vector<EvalRow>& rows);
// A Markdown table: per device (and overall) for each strategy feasibility and mean accuracy,
// with the ceiling and oracle.
std::string EvalRowsToMarkdown(const std::vector<EvalRow>& rows);

}  // namespace simnas
