// One finished benchmark run: a row of <out>/runs.jsonl. The runner fills it, the report
// reads it; its JSON form is made and read here only (RunRecordToJson / RunRecordFromJson), so
// a field is named in one place. The JSON object's keys are written in sorted order (the
// file's format since its first rows).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace simnas {

// The chosen cell of a run that found one, scored on the device's ground truth.
struct RunAnswer {
  int index = -1;
  std::string arch;
  double latency_ms = 0;           // as measured by the search
  double true_latency_ms = 0;      // on the ground truth (the measured one if the cell is not in it)
  double accuracy = 0;
  double proxy = 0;
  double latency_percentile = 0;   // share of ground-truth cells at or below true_latency_ms
  double regret = 0;               // oracle accuracy minus accuracy
  std::optional<double> reward;    // unconstrained tasks only
};

// The scores of an FBNet run (group kind "fbnet-percentile"). FBNet has no accuracy: a run is
// scored by its objective (a proxy, e.g. multiply-adds) against the best objective within the
// budget among the table's candidates (exact latencies): proxy regret. In such rows the
// accuracy fields are null in the JSON (0 here) and mean nothing.
struct FbnetRunScore {
  std::string objective;          // the objective's name
  std::string proxy_device;       // the train table the proxy-based strategies followed
  int candidates = 0;
  int feasible_candidates = 0;    // candidates within the budget on the device's table
  double best_objective = 0;      // the best objective among them
  int best_index = -1;
  std::optional<double> answer_objective;  // runs with an answer
  std::optional<double> regret;            // best_objective - answer_objective, feasible answers only
  std::optional<double> rank_share;        // share of feasible candidates with a better objective (0 = best)
};

struct RunRecord {
  std::string key;  // RunKey: group|device|dataset|budget label|strategy|probes|seed
  std::string group;
  std::string kind;
  std::string device;
  std::string dataset;
  std::string budget_label;
  std::optional<double> budget_ms;  // none: unconstrained
  std::string strategy;
  int probes = 0;
  int seed = 0;
  double oracle_accuracy = 0;
  int oracle_index = -1;
  double proxy_oracle_accuracy = 0;
  int proxy_oracle_index = -1;
  bool ground_truth_complete = true;
  std::optional<std::string> config_digest;  // none in rows written before digests
  // The search; none of these when the device failed (then `error` says why).
  std::optional<std::string> error;
  int probes_used = 0;
  double wall_s = 0;
  std::vector<int> trajectory;  // probed cell indices in probe order
  std::optional<RunAnswer> answer;  // "found" in the JSON
  bool feasible = false;       // the answer's measured latency meets the budget
  bool true_feasible = false;  // its ground-truth latency meets the budget
  std::optional<FbnetRunScore> fbnet;  // FBNet runs only ("fbnet" in the JSON)

  bool found() const { return answer.has_value(); }
};

nlohmann::json RunRecordToJson(const RunRecord& record);
// Throws DataError naming the missing or mistyped field.
RunRecord RunRecordFromJson(const nlohmann::json& row);

// The rows of a runs.jsonl file in file order (none if it does not exist). A line that is not
// JSON (a torn last write from a kill) is skipped; a JSON row that is not a run record throws
// DataError naming the file, the line and the field.
std::vector<RunRecord> ReadRunRecords(const std::filesystem::path& path);

}  // namespace simnas
