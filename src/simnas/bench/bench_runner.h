// Running the benchmark: every (group, device, task, strategy, probe budget, seed) search,
// each scored against the device's ground truth. Every finished run is appended at once to
// <out>/runs.jsonl, so an interrupted benchmark resumes where it stopped.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/bench_config.h"
#include "simnas/bench/run_record.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/devices/device_factory.h"
#include "simnas/parallel/cluster.h"
#include "simnas/probe/probe_store.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/strategies/registry.h"

namespace simnas {

class Strategy;

// Scores for one task that do not depend on the strategy: the oracles over ground truth.
struct TaskReference {
  double budget_ms = 0;        // resolved budget (0 for unconstrained)
  int oracle_index = -1;       // best accuracy within budget (true oracle; reports only)
  double oracle_accuracy = 0;
  int proxy_oracle_index = -1; // best proxy score within budget (ceiling of proxy-driven methods)
  double proxy_oracle_accuracy = 0;
  int feasible_cells = 0;      // ground-truth cells within budget
};

struct BenchOptions {
  std::filesystem::path out_dir;
  ProxyAggregate aggregate = ProxyAggregate::kFreeRea;
  std::filesystem::path proxy_dir;  // folder of the <dataset>.csv proxy tables (and fbnet/cifar100.csv)
  std::filesystem::path configs_dir;  // aggregates.json: the FBNet groups' objective recipes
  StrategyResources strategies;     // controller models (the leave-one-out ones start from these), data
  StrategyResources fbnet_strategies;  // the same for the FBNet groups (their picker controller)
  DeviceEnvironment fbnet_devices;  // devices of the FBNet groups (their space's data)
};

class BenchRunner {
 public:
  BenchRunner(BenchConfig config, const BenchmarkData& data, DeviceEnvironment devices, ProbeStore& store,
              BenchOptions options);

  // Runs every search of the config not yet in runs.jsonl (rows of the current plan: same key and
  // config digest, RowsOfPlan; rows of an earlier config of a group are stale, run again). Throws Interrupted (after saving) on Ctrl-C.
  void Run();
  // The same over the ranks of a job (collective): the (group, device) units are handed out
  // dynamically, each rank runs its units' searches (training their leave-one-out controllers
  // under <out>/controllers on its own file system) and sends every finished run to rank 0,
  // which alone appends to runs.jsonl. The rows, hence the summary, are those of one process.
  void Run(Cluster& cluster);
  // All rows of runs.jsonl (finished and failed runs, stale ones included), in file order.
  std::vector<RunRecord> LoadRows() const;
  // Ground-truth descriptions per device spec, for the report.
  const std::map<std::string, std::string>& ground_truth_sources() const { return sources_; }
  // The (group, device) units of the last Run whose live device gave no reference sample (so
  // none of their runs was made), one line each naming the unit and the device's problem; on
  // rank 0. Failed runs themselves are rows with an `error`, tried again by the next Run.
  const std::vector<std::string>& unit_failures() const { return unit_failures_; }

 private:
  const ScoreTable& Proxy(Dataset dataset);
  // The model of a controller trained without train device `device` (trained on first use).
  std::filesystem::path LeaveOneOutController(const std::string& device, std::int64_t steps);
  // Whether every planned run of `group` on `spec` is in `done`.
  bool UnitIsDone(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done);
  // Every search of one group on one device not in `done`; `post` gets each finished row.
  void RunUnit(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done,
               const std::function<void(const nlohmann::json&)>& post, std::map<std::string, std::unique_ptr<Strategy>>& strategies);

  BenchConfig config_;
  const BenchmarkData* data_;
  DeviceEnvironment devices_;
  ProbeStore* store_;
  BenchOptions options_;
  std::map<Dataset, ScoreTable> proxies_;
  std::map<std::string, std::string> sources_;
  std::vector<std::string> unit_failures_;
  std::map<std::string, std::string> plan_;  // every planned run key -> its group's digest
};

}  // namespace simnas
