// The benchmark on FBNet (group kind "fbnet-percentile", bench_config.h): on each device's own
// FBNet table (table:NAME of HELP's 23), budgets at percentiles of that table, every FBNet
// strategy (strategies/registry.h) for each seed and probe budget.
// FBNet has no accuracy table, so a run is scored by proxy regret: its answer's objective (the
// group's score table, e.g. multiply-adds) against the best objective among the table's
// networks whose exact latency is within the budget. Also: violations (no probed network within
// the budget, or the answer measured over it) and the answer's rank share (share of the
// feasible networks with a strictly better objective; 0 = the best). Formulas: docs/benchmark-fbnet.md.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/bench_config.h"
#include "simnas/bench/run_record.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/device_factory.h"
#include "simnas/probe/probe_store.h"
#include "simnas/spaces/fbnet/fbnet_numbering.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/space/score_table.h"
#include "simnas/strategies/registry.h"

namespace simnas {

// The best objective within `budget_ms` among the candidates of `latency` (exact latencies,
// one per candidate, same order as `objective`): feasible count, best value and its index
// (ties: the faster, then the lower index; -1 when none fits).
struct FbnetReference {
  int candidates = 0;
  int feasible = 0;
  double best_objective = 0;
  int best_index = -1;
  std::vector<double> feasible_objectives;  // sorted, descending
  // Share of the feasible candidates with an objective strictly better than `value`.
  double RankShare(double value) const;
};
FbnetReference ComputeFbnetReference(const std::vector<double>& latency, const std::vector<double>& objective,
                                     double budget_ms);

// Every run of `group` (an fbnet-percentile group) on device `spec` not in `done`; each finished
// row goes to `post` as {"row": ...}, the ground-truth description as {"source", "text"}.
// `env.fbnet` must be set. `spec`: table:NAME of HELP's FBNet tables, or a live device (local,
// opencv, cmd:; RunFbnetLiveBenchTasks, measurements in `store`). Throws Error for any other.
void RunFbnetBenchUnit(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                       const std::set<std::string>& done, const DeviceEnvironment& env,
                       const ScoreFiles& files, ProbeStore& store,
                       const std::function<void(const nlohmann::json&)>& post,
                       const StrategyResources& strategies = {});

// The same on given tables (what RunFbnetBenchUnit calls; tests give fixtures): `device` answers
// `target`'s networks, `target` is its table (exact latencies: the ground truth and the budgets),
// `train_tables` the proxy-device candidates (target's own left out), all in `candidates`' order.
void RunFbnetBenchTasks(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                        const std::set<std::string>& done, Device& device, const LatencyTable& target,
                        const FbnetNumbering& candidates, const std::vector<const LatencyTable*>& train_tables,
                        const ScoreFiles& files, const std::function<void(const nlohmann::json&)>& post,
                        const StrategyResources& strategies = {});
// The same with the objective already made (`simnas --space fbnet controller eval|loo`).
void RunFbnetBenchTasksWithObjective(const BenchGroup& group, const std::string& spec, const std::string& digest,
                                     int seeds, const std::set<std::string>& done, Device& device,
                                     const LatencyTable& target, const FbnetNumbering& candidates,
                                     const std::vector<const LatencyTable*>& train_tables,
                                     const ScoreTable& objective,
                                     const std::function<void(const nlohmann::json&)>& post,
                                     const StrategyResources& strategies = {});

// What FBNet runs are scored against: the target's latency per candidate (a full table, or a
// live device's measured reference sample, NaN elsewhere) and the budget of each percentile.
struct FbnetGroundTruth {
  LatencyTable latency;            // candidates' order
  std::vector<double> budgets_ms;  // one per percentile of the group, in its order
  bool complete = true;            // every candidate's latency is known
  std::string source;              // what it is, for the report
};

// The ground truth of a live device (`group.reference`: random R, top T, seed):
//  1. R candidates drawn uniformly (seeded) are measured; the budget of percentile q is the q-th
//     percentile of THEIR latencies (an unbiased sample of the candidates' latency distribution);
//  2. then, per budget, the T candidates with the best objective among those predicted within
//     the budget by the train table most rank-correlated (SRCC) with the R measurements, its
//     latencies scaled by the median measured/table ratio: the networks most likely to be the
//     best within that budget, so that the reference's best is not just the best of R random ones.
// Every measurement goes through a SharedMeasurementDevice (store): a resumed or repeated run
// replays it. Proxy regret is then against the best objective within the budget among the
// MEASURED networks; an answer outside the sample is scored by its own (shared) measurement.
FbnetGroundTruth MeasureFbnetReference(Device& device, const FbnetNumbering& candidates,
                                       const ScoreTable& objective,
                                       const std::vector<const LatencyTable*>& train_tables,
                                       const std::vector<double>& percentiles, const ReferenceSampleSpec& reference,
                                       ProbeStore& store);

// The runs of `group` on a live `device` not in `done`: MeasureFbnetReference (skipped when every
// run is done: a resumed benchmark measures nothing again), then every strategy, seed and budget
// through one SharedMeasurementDevice, so seeded searches reuse each other's measurements.
// `train_tables` are all the proxy-device candidates (a live device has no table of its own).
void RunFbnetLiveBenchTasks(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                            const std::set<std::string>& done, Device& device, const FbnetNumbering& candidates,
                            const std::vector<const LatencyTable*>& train_tables, const ScoreFiles& files,
                            ProbeStore& store, const std::function<void(const nlohmann::json&)>& post,
                            const StrategyResources& strategies = {});

struct FbnetStrategySummary {
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
std::vector<FbnetStrategySummary> SummarizeFbnet(const std::vector<const RunRecord*>& rows);

// The report's section for an FBNet group (Markdown); appends its rows to `summary_csv`.
std::string FbnetReportSection(const BenchGroup& group, const std::vector<RunRecord>& rows, std::string& summary_csv);
// The header line of the FBNet summary CSV.
inline constexpr const char* kFbnetSummaryCsvHeader =
    "group,budget,probes,strategy,runs,violations,objective,objective_mean,best_mean,regret_mean,rank_share_mean,"
    "probes_used,wall_s\n";

}  // namespace simnas
