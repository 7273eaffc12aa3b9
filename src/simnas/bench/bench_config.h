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
// kinds: "help" = HELP's latency-constrained NAS table (CIFAR-100, 15 device/budget pairs);
// "percentile" = budgets at latency percentiles of each device; "fbnet-percentile" = the same
// on FBNet (devices: `table:NAME` of HELP's 23 FBNet tables, aliases "test"/"train" = FBNet's
// test/train devices; CIFAR-100 only; strategies are FBNet's, "default" = the FBNet default;
// "objective": the FBNet objective source, default "macs"; scored by proxy regret,
// bench/fbnet_bench.h); "budgets" = explicit
// "budgets_ms"; "unconstrained" = the paper's reward. "devices" takes specs (table:NAME,
// table:PATH, local, cmd:..., synthetic:SEED) and the aliases "test" and "train". A group
// may override "strategies", "seeds" and "probes" (default [10]). Devices without a full
// table get ground truth from a measured "reference" sample. "controller_loo_steps": N > 0
// makes the "controller" strategy honest in a leave-one-device-out group: for each train
// device it uses a controller trained (N steps, seed 0, the default model's settings) without
// that device, kept under <out>/controllers/<device>/ and reused when the benchmark resumes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/run_record.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/data/dataset.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"

namespace simnas {

struct ReferenceSampleSpec {
  int top = 100;
  int random = 200;
  std::uint64_t seed = 0;
};

struct BenchGroup {
  std::string name;  // letters, digits and - _ . + (it heads report sections, CSV rows, run keys)
  std::string kind;  // help | percentile | fbnet-percentile | budgets | unconstrained
  std::vector<std::string> devices;
  std::vector<Dataset> datasets = {Dataset::kCifar100};
  std::vector<double> percentiles = {25, 50, 75};
  std::vector<double> budgets_ms;
  std::vector<int> probes = {10};
  std::vector<std::string> strategies;  // empty: the config's
  int seeds = 0;                        // 0: the config's
  ReferenceSampleSpec reference;
  std::int64_t controller_loo_steps = 0;  // 0: the committed default controller
  std::string objective = kFbnetDefaultScoreSource;  // fbnet-percentile: MakeFbnetScores's source
};

inline bool IsFbnetGroup(const BenchGroup& group) { return group.kind == "fbnet-percentile"; }

struct BenchConfig {
  std::string name = "bench";
  std::vector<std::string> strategies = {"random"};
  int seeds = 10;
  std::vector<BenchGroup> groups;
};

// Throws DataError naming the file and the offending field (also for a config or group name
// that is not plain, or a device spec holding a control character).
BenchConfig LoadBenchConfig(const std::filesystem::path& path);
BenchConfig ParseBenchConfig(const std::string& json_text, const std::string& origin);

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

// Expands a group's device aliases ("test", "train") against the data folder.
std::vector<std::string> ExpandDevices(const BenchGroup& group, const BenchmarkData& data);

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
std::map<std::string, std::string> PlanRuns(const BenchConfig& config, const BenchmarkData& data);

// The rows of runs.jsonl that belong to `plan`: the key is planned and the row's
// "config_digest" is the plan's. A row without "config_digest" (written before runs carried
// one, as the committed docs/benchmark/runs.jsonl.gz) counts when its key is planned, so the
// committed runs still make their report. Of several rows with one key the last counts.
// `stale` (optional) gets the number of rows left out.
std::vector<RunRecord> RowsOfPlan(const std::vector<RunRecord>& rows, const std::map<std::string, std::string>& plan,
                                  int* stale = nullptr);

}  // namespace simnas
