// The benchmark report: Markdown tables and PNG figures from the finished runs.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/bench_config.h"
#include "simnas/bench/run_record.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space_data.h"

namespace simnas {

struct ReportInputs {
  std::string command;    // the command that generated the report (printed at its top)
  std::string revision;   // source revision, if known
  BenchConfig config;
  std::vector<RunRecord> rows;
  std::map<std::string, std::string> ground_truth_sources;
  std::string score_description;    // what the groups without an "objective" rank by, and where it was read
  SpaceDataOf data;                 // each group's space's data
  // The scores of a group's objective (BenchSpaces::scores), for the figures.
  std::function<ScoreTable(const Space&, Dataset, const std::string& source)> scores;
  std::string score_source;         // the groups' objective when they give none
  // A section of published answers to the help group's tasks scored on the tables ("" none).
  std::function<std::string(const SpaceData&)> published_answers;
};

// Uses only the rows of the current plan (RowsOfPlan over PlanRuns(config)) and says how many
// rows of `rows` it left out as stale. A group whose space has a measured accuracy gets accuracy
// tables, any other the score tables (proxy regret; ScoreSection). Writes `report_path`
// (Markdown), its figures into `figures_dir` (PNG + .dat), `summary.csv` (accuracy groups) and
// `<space>-summary.csv` (score groups) next to the figures. Returns the name of the strategy that
// wins the leave-one-device-out group (empty when the config has none).
std::string WriteBenchReport(const ReportInputs& inputs, const std::filesystem::path& report_path,
                             const std::filesystem::path& figures_dir);

// Per strategy over the score blocks of `rows`: proxy regret of the objective.
struct ScoreSummary {
  std::string strategy;
  int runs = 0;
  int violations = 0;          // no feasible answer (none within budget or answer over it)
  double objective_mean = 0;   // feasible answers
  double best_mean = 0;        // best objective within budget, mean over the same runs' tasks
  double regret_mean = 0;      // feasible answers
  double rank_share_mean = 0;  // feasible answers
  double probes_mean = 0;
  double wall_mean = 0;
};
// Per strategy, in order of first appearance.
std::vector<ScoreSummary> SummarizeScores(const std::vector<const RunRecord*>& rows);

// The report's section for a group scored by its objective only (Markdown); appends its rows to
// `summary_csv` (kScoreSummaryCsvHeader).
std::string ScoreSection(const BenchGroup& group, const std::vector<RunRecord>& rows, int numbering_size,
                         std::string& summary_csv);
inline constexpr const char* kScoreSummaryCsvHeader =
    "group,budget,probes,strategy,runs,violations,objective,objective_mean,best_mean,regret_mean,rank_share_mean,"
    "probes_used,wall_s\n";

}  // namespace simnas
