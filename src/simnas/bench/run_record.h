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

// The chosen architecture of a run that found one, scored on the device's ground truth.
struct RunAnswer {
  int index = -1;
  std::string arch;
  double latency_ms = 0;           // as measured by the search
  double true_latency_ms = 0;      // on the ground truth (the measured one if the network is not in it)
  std::optional<double> accuracy;  // measured accuracy, where the space has one (null in the JSON otherwise)
  double proxy = 0;                // the answer's objective (the score the search ranked by)
  double latency_percentile = 0;   // share of ground-truth networks at or below true_latency_ms
  std::optional<double> regret;    // oracle accuracy minus accuracy (with accuracy only)
  std::optional<double> reward;    // unconstrained tasks only
};

// The score block every run carries ("score" in the JSON): the run's objective (the score the
// strategies rank by: a proxy recipe, multiply-adds, ...) against the best objective within the
// budget among the ground truth's networks (exact latencies), the proxy regret. The one measure
// of a space without accuracy, beside accuracy where there is one.
struct RunScore {
  std::string objective;          // the objective's name
  std::string proxy_device;       // the train table the proxy-based strategies followed
  int candidates = 0;             // networks of known latency
  int feasible_candidates = 0;    // of them within the budget (all without one)
  double best_objective = 0;      // the best objective among them
  int best_index = -1;
  std::optional<double> answer_objective;  // runs with an answer
  std::optional<double> regret;            // best_objective - answer_objective, feasible answers only
  std::optional<double> rank_share;        // share of feasible networks with a better objective (0 = best)
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
  std::optional<double> oracle_accuracy;  // with accuracy only (null in the JSON otherwise)
  int oracle_index = -1;                  // best accuracy within budget; without accuracy, the best objective
  std::optional<double> proxy_oracle_accuracy;
  int proxy_oracle_index = -1;            // best objective within budget (unconstrained: best reward)
  // The ground truth knows every candidate of the run (a table device, or a device answering only
  // some architectures, whose candidates are those); false for a live device's reference sample.
  bool ground_truth_complete = true;
  std::optional<std::string> config_digest;  // none in rows written before digests
  // The search; none of these when the device failed (then `error` says why).
  std::optional<std::string> error;
  int probes_used = 0;
  double wall_s = 0;
  std::vector<int> trajectory;  // probed candidate indices in probe order
  std::optional<RunAnswer> answer;  // "found" in the JSON
  bool feasible = false;       // the answer's measured latency meets the budget
  bool true_feasible = false;  // its ground-truth latency meets the budget
  // Always written; none only in rows written before every run carried it (they may hold it
  // under their space's name, the prefix of a "<space>-<kind>" kind, and are read so).
  std::optional<RunScore> score;

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
