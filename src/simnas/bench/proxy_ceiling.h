// The within-budget ceiling of a proxy score: the mean measured accuracy of the best-scored
// architecture under each task's latency budget, with exact latencies and the one
// tie-break of oracle.h (BestWithinBudget, as ProxyCeilingIndex). What `simnas proxies
// --report` prints beside Kendall tau; what no strategy ranking by that score can beat.
#pragma once

#include <string>
#include <vector>

#include "simnas/bench/ground_truth.h"
#include "simnas/space/space_data.h"

namespace simnas {

struct CeilingTask {
  std::string device;
  std::string label;  // "18ms" (HELP) or "p25"
  double budget_ms = 0;
};

// A named set of tasks over device latency tables.
struct CeilingTaskSet {
  std::string name;  // "help", "train p25/50/75", "test p25/50/75"
  std::vector<CeilingTask> tasks;
  std::vector<GroundTruth> latency;  // per task (the device's full table)
};

// The report's sets: HELP's Table 4 (15 tasks, HelpTable4), and budgets at the 25th/50th/75th
// latency percentiles of every train device and of every test device (as the benchmark's
// "percentile" groups set them, GroundTruth::Percentile).
std::vector<CeilingTaskSet> ReportCeilingTaskSets(const SpaceData& data);

// Mean over the set's tasks of accuracy[best-scored architecture within budget]; `score` by index
// in the numbering, architectures whose score is not finite (missing, -inf) are never chosen. A
// task without a feasible scored architecture counts as accuracy 0 (a violation).
double MeanCeiling(const CeilingTaskSet& set, const std::vector<double>& score, const std::vector<double>& accuracy);

}  // namespace simnas
