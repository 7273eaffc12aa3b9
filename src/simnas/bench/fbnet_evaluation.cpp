#include "simnas/bench/fbnet_evaluation.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/bench/bench_config.h"
#include "simnas/core/strings.h"
#include "simnas/devices/device_spec.h"
#include "simnas/bench/evaluation.h"

namespace simnas {

std::vector<std::string> FbnetDeviceList(FbnetTables& tables, const std::string& text) {
  if (Trim(text) == "train") return FbnetTables::TrainDevices();
  if (Trim(text) == "test") return FbnetTables::TestDevices();
  std::vector<std::string> out;
  for (const std::string& d : Split(text, ',')) {
    if (Trim(d).empty()) continue;
    out.emplace_back(Trim(d));
    tables.Table(out.back());  // a name without an FBNet table fails here, naming the known ones
  }
  return out;
}

std::vector<RunRecord> EvaluateFbnetOnTables(FbnetTables& tables, const ScoreTable& objective,
                                             const FbnetEvalSpec& spec, const StrategyResources& strategies) {
  EvalSpec eval;
  eval.devices = spec.devices;
  eval.percentiles = spec.percentiles;
  eval.seeds = spec.seeds;
  eval.probes = spec.probes;
  eval.exclude_from_context = spec.exclude_from_context;
  std::vector<NamedStrategy> named;
  for (const std::string& name : spec.strategies) named.push_back({name, nullptr});
  return EvaluateRuns(tables.space_data(), objective, eval, named, strategies);
}

std::vector<FbnetEvalRow> SummarizeFbnetEval(const std::vector<RunRecord>& runs) {
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const RunRecord*>> by;
  std::vector<const RunRecord*> all;
  for (const RunRecord& r : runs) {
    const auto key = std::make_pair(r.device, r.budget_label);
    if (by.find(key) == by.end()) order.push_back(key);
    by[key].push_back(&r);
    all.push_back(&r);
  }
  std::vector<FbnetEvalRow> rows;
  for (const auto& key : order) {
    const RunRecord& first = *by[key].front();
    for (const ScoreSummary& s : SummarizeScores(by[key])) {
      FbnetEvalRow row;
      row.device = key.first;
      row.budget_label = key.second;
      row.budget_ms = first.budget_ms.value_or(0);
      row.feasible_candidates = first.score ? first.score->feasible_candidates : 0;
      row.summary = s;
      rows.push_back(row);
    }
  }
  for (const ScoreSummary& s : SummarizeScores(all)) {
    FbnetEvalRow row;
    row.device = "all";
    row.budget_label = "all";
    row.summary = s;
    rows.push_back(row);
  }
  return rows;
}

namespace {

std::string ScoredBy(const std::string& objective) {
  return fmt::format("FBNet has no trained accuracy: answers are scored by proxy regret, the best {} among the table's "
                     "networks within the budget minus the answer's (0 = the best; feasible answers only); rank share "
                     "= share of those networks with a strictly better {} (0 = the best); violations = no probed "
                     "network within the budget",
                     objective, objective);
}

}  // namespace

nlohmann::json FbnetEvalRowsToJson(const std::vector<FbnetEvalRow>& rows, const std::string& objective) {
  nlohmann::json out = {{"objective", objective}, {"scored_by", ScoredBy(objective)}, {"accuracy", nullptr}};
  nlohmann::json list = nlohmann::json::array();
  for (const FbnetEvalRow& r : rows) {
    const ScoreSummary& s = r.summary;
    list.push_back({{"device", r.device},
                    {"budget", r.budget_label},
                    {"budget_ms", r.budget_ms},
                    {"feasible_candidates", r.feasible_candidates},
                    {"strategy", s.strategy},
                    {"runs", s.runs},
                    {"violations", s.violations},
                    {"objective_mean", s.objective_mean},
                    {"best_mean", s.best_mean},
                    {"regret_mean", s.regret_mean},
                    {"rank_share_mean", s.rank_share_mean},
                    {"probes_mean", s.probes_mean}});
  }
  out["rows"] = list;
  return out;
}

std::string FbnetEvalRowsToMarkdown(const std::vector<FbnetEvalRow>& rows, const std::string& objective) {
  std::string md = ScoredBy(objective) + ".\n\n";
  md += "| device | budget | ms | feasible networks | strategy | runs | violations | proxy regret | rank share | probes |\n";
  md += "|---|---|---:|---:|---|---:|---:|---:|---:|---:|\n";
  for (const FbnetEvalRow& r : rows) {
    const ScoreSummary& s = r.summary;
    const bool all = r.device == "all";
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.4f} | {:.4f} | {:.1f} |\n", all ? "**all**" : r.device,
                      r.budget_label, all ? "" : fmt::format("{:.4g}", r.budget_ms),
                      all ? "" : std::to_string(r.feasible_candidates), s.strategy, s.runs, s.violations,
                      s.regret_mean, s.rank_share_mean, s.probes_mean);
  }
  return md;
}

}  // namespace simnas
