// The benchmark's configuration: which strategies, on which devices, for which tasks, with
// how many probes and seeds. JSON, e.g. (every field optional but "groups"):
//
// {
//   "name": "full",
//   "strategies": ["random", "evolution", "one-proxy", "controller"],
//   "seeds": 10,
//   "groups": [
//     {"name": "help", "kind": "help", "probes": [10, 5, 20, 50]},
//     {"name": "test-percentile", "kind": "percentile", "devices": ["test"],
//      "percentiles": [25, 50, 75], "datasets": ["cifar10", "cifar100", "ImageNet16-120"]},
//     {"name": "test-unconstrained", "kind": "unconstrained", "devices": ["test"], "datasets": ["cifar100"]},
//     {"name": "loo-train", "kind": "percentile", "devices": ["train"], "percentiles": [25, 50, 75]},
//     {"name": "local", "kind": "percentile", "devices": ["local"], "seeds": 3,
//      "reference": {"top": 100, "random": 200, "seed": 0}}
//   ]
// }
//
// A group is a search space and a budget kind. "space": a registered space's name (default: the
// space the command runs in, `simnas --space NAME bench`); "kind": "help" = HELP's
// latency-constrained NAS table (CIFAR-100, 15 device/budget pairs); "percentile" = budgets at
// latency percentiles of each device; "budgets" = explicit "budgets_ms"; "unconstrained" = the
// paper's reward. A kind may also be written "<space>-<kind>" (e.g. a space "foo" and
// "foo-percentile"): the space and the kind in one field, the form run rows name their kind by.
// "datasets" must be datasets of the space (Space::Datasets); default: DefaultBenchDatasets. "objective": the score the
// strategies rank by (a proxy recipe of configs/aggregates.json or a source of the space's
// own, Workspace::ScoresOf); default: the command's --aggregate, else the space's default.
// Every run is scored by the objective against the best objective within the budget (the
// run's score block, run_record.h) and, where the space has a measured accuracy, by accuracy.
// "devices" takes specs (table:NAME, table:PATH, local, cmd:..., synthetic:SEED) and the
// aliases "test" and "train" (the space's split; "test" includes the space's own test devices).
// A group may override "strategies", "seeds" and "probes" (default [10]); "default" is the
// space's default strategy. A device that answers only some of the numbered architectures (a
// partial table, a space's own device) has those as ground truth and candidates. Live devices
// get ground truth from a measured "reference" sample ("per_budget": its top part
// chosen per budget, ground_truth.h; default: true except in the default space). "controller_loo_steps": N > 0
// makes the "controller" strategy honest in a leave-one-device-out group: for each train
// device it uses a controller trained (N steps, seed 0, the default model's settings) without
// that device, kept under <out>/controllers/<device>/ and reused when the benchmark resumes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/run_record.h"
#include "simnas/data/dataset.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"

namespace simnas {

struct ReferenceSampleSpec {
  int top = 100;
  int random = 200;
  std::uint64_t seed = 0;
  // The top part chosen per budget among the networks the best-correlated train table puts
  // within it (true), or the top by score over all (false). Unset: the space's rule
  // (DefaultPerBudget).
  std::optional<bool> per_budget;
};

struct BenchGroup {
  std::string name;  // letters, digits and - _ . + (it heads report sections, CSV rows, run keys)
  const Space* space = nullptr;  // never null in a parsed config
  std::string kind;  // help | percentile | budgets | unconstrained
  std::vector<std::string> devices;
  std::vector<Dataset> datasets = {Dataset::kCifar100};
  std::vector<double> percentiles = {25, 50, 75};
  std::vector<double> budgets_ms;
  std::vector<int> probes = {10};
  std::vector<std::string> strategies;  // empty: the config's
  int seeds = 0;                        // 0: the config's
  ReferenceSampleSpec reference;
  std::int64_t controller_loo_steps = 0;  // 0: the committed default controller
  std::string objective;  // the score source; empty: the command's --aggregate, else the space's default
};

// The datasets of a group that names none: CIFAR-100 (HELP's task) when the space's networks are
// built for it, else the space's default dataset (the first of Space::Datasets).
std::vector<Dataset> DefaultBenchDatasets(const Space& space);

// The group's kind as run rows and digests name it: `kind` in the default space (registry.h),
// "<space>-<kind>" in any other.
std::string QualifiedKind(const BenchGroup& group);
// Whether a live device's reference sample of `group` chooses its top part per budget.
bool ReferencePerBudget(const BenchGroup& group);

// A space's data, for expanding device aliases and planning runs.
using SpaceDataOf = std::function<const SpaceData&(const Space&)>;

struct BenchConfig {
  std::string name = "bench";
  std::vector<std::string> strategies = {"random"};
  int seeds = 10;
  std::vector<BenchGroup> groups;
};

// Throws DataError naming the file and the offending field (also for a config or group name
// that is not plain, an unknown space, a dataset the space lacks, an unknown strategy, or a
// device spec holding a control character). Groups without "space" are of `space` (null: the
// default space).
BenchConfig LoadBenchConfig(const std::filesystem::path& path, const Space* space = nullptr);
BenchConfig ParseBenchConfig(const std::string& json_text, const std::string& origin, const Space* space = nullptr);

// One search problem: a device, a dataset, and a budget (none: unconstrained).
struct BenchTask {
  std::string group;
  std::string device;  // spec
  Dataset dataset = Dataset::kCifar100;
  std::optional<double> budget_ms;  // resolved later for percentile budgets
  std::optional<double> percentile; // set for percentile budgets
  std::string budget_label;         // "18ms", "p25", "none"
};

// HELP's Table 4 (device, budget ms), in their order; `device` is our table name.
struct HelpTask {
  std::string device;
  double budget_ms;
};
const std::vector<HelpTask>& HelpTable4();

// Expands a group's device aliases ("test", "train") against its space's data.
std::vector<std::string> ExpandDevices(const BenchGroup& group, const SpaceData& data);

// The key identifying a run in runs.jsonl.
std::string RunKey(const std::string& group, const std::string& device, Dataset dataset,
                   const std::string& budget_label, const std::string& strategy, int probes, int seed);
// The budget labels of run keys: "18ms" (explicit and HELP budgets), "p25" (percentiles).
std::string BudgetLabel(double ms);
std::string PercentileLabel(double percentile);

// The digest of what determines the runs of `group`: the hex SHA-256 of the group's parsed
// settings as canonical JSON (sorted keys, defaults filled in) with the config-level
// strategies and seeds that apply to it. Every run row carries it as "config_digest"; a group
// whose settings change gets a new digest, so its old runs are stale.
std::string GroupDigest(const BenchConfig& config, const BenchGroup& group);

// Every run the config plans: run key -> the digest of its group.
std::map<std::string, std::string> PlanRuns(const BenchConfig& config, const SpaceDataOf& data_of);
// The (dataset, budget label) tasks of `group` on device `spec`, in run order.
std::vector<std::pair<Dataset, std::string>> TaskLabels(const BenchGroup& group, const std::string& spec);

// The rows of runs.jsonl that belong to `plan`: the key is planned and the row's
// "config_digest" is the plan's. A row without "config_digest" (written before runs carried
// one, as the committed docs/benchmark/runs.jsonl.gz) counts when its key is planned, so the
// committed runs still make their report. Of several rows with one key the last counts.
// `stale` (optional) gets the number of rows left out.
std::vector<RunRecord> RowsOfPlan(const std::vector<RunRecord>& rows, const std::map<std::string, std::string>& plan,
                                  int* stale = nullptr);

}  // namespace simnas
