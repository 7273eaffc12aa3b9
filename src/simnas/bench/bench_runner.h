// Running the benchmark: every (group, device, task, strategy, probe budget, seed) search in the
// group's space, each scored against the device's ground truth: by its objective against the
// best objective within the budget (the score block), and by accuracy where the space has one. Every finished run is appended at once to
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
#include "simnas/devices/device_factory.h"
#include "simnas/parallel/cluster.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/score_table.h"
#include "simnas/strategies/registry.h"

namespace simnas {

class Strategy;

// What the runner needs from its surroundings for a group's space (the workspace gives it; tests
// give fixtures): the space's data, how to open its devices, its strategies' files, the scores a
// source names, and, for a group with "controller_loo_steps", the controller trained without one
// train device.
struct BenchSpaces {
  SpaceDataOf data;
  std::function<DeviceEnvironment(const Space&)> devices;
  // Opens a device of `space` by spec; null: OpenDevice(spec, devices(space)) (tests give their own).
  std::function<std::unique_ptr<Device>(const Space&, const DeviceSpec&)> open_device;
  std::function<StrategyResources(const Space&)> strategies;
  // The strategy a group's name stands for, when the caller makes it (an evaluation of given
  // strategy objects); null, or a null result: MakeStrategy(name, strategies(space), space).
  std::function<std::unique_ptr<Strategy>(const Space&, const std::string& name)> make_strategy;
  // The scores (one per numbered architecture) `source` gives in `space` for `dataset`; `source`
  // empty: the space's default. Throws ParseError/DataError naming the source or file.
  std::function<ScoreTable(const Space&, Dataset, const std::string& source)> scores;
  // The `controller` of a leave-one-device-out group searching train device `device` of `space`:
  // trained (`steps` steps) without it into `dir` on first use, reused after. Null: refused.
  std::function<std::unique_ptr<Strategy>(const Space& space, const std::string& device, std::int64_t steps,
                                          const ScoreTable& scores, const std::filesystem::path& dir)>
      held_out_controller;
};

struct BenchOptions {
  std::filesystem::path out_dir;
  std::string score_source;  // the groups' objective when they give none ("": each space's default)
  // Train devices also withheld from every strategy (a held-out group); a replayed target's own
  // table is always withheld.
  std::vector<std::string> withheld;
};

class BenchRunner {
 public:
  // `store`: where live devices' measurements go; null: live devices are refused.
  BenchRunner(BenchConfig config, BenchSpaces spaces, ProbeStore* store, BenchOptions options);

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
  // The objective of `group` for `dataset` (read once, kept).
  const ScoreTable& Scores(const BenchGroup& group, Dataset dataset);
  // Every search of `group` (one of the config's) on device `spec` not in `done`, in memory:
  // `post` gets each finished row as {"row": ...} and the ground truth's description as
  // {"source": spec, "text": ...}. Throws DeviceError when a live device gives no reference sample.
  void RunUnit(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done,
               const std::function<void(const nlohmann::json&)>& post);

 private:
  // Whether every planned run of `group` on `spec` is in `done`.
  bool UnitIsDone(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done);

  BenchConfig config_;
  BenchSpaces spaces_;
  ProbeStore* store_;
  BenchOptions options_;
  std::map<std::string, ScoreTable> scores_;                     // by space|dataset|source
  std::map<std::string, std::unique_ptr<Strategy>> strategies_;  // by space|name, reused across searches
  std::map<std::string, std::string> sources_;
  std::vector<std::string> unit_failures_;
  std::map<std::string, std::string> plan_;  // every planned run key -> its group's digest
};

}  // namespace simnas
