#include "simnas/bench/bench_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/bench/fbnet_bench.h"
#include "simnas/bench/ground_truth.h"
#include "simnas/bench/leave_one_out.h"
#include "simnas/controller/controller_model.h"
#include "simnas/data/device_split.h"
#include "simnas/devices/device_spec.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/strategies/oracle.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/core/shipped_files.h"
#include "simnas/parallel/cluster.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/strategies/search_setup.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

// Appends one JSON line durably.
void AppendLine(const fs::path& path, const std::string& line) {
  RequireNotShipped(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot append to {}", path.string()));
  const std::string data = line + "\n";
  const ssize_t n = ::write(fd, data.data(), data.size());
  ::fsync(fd);
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) throw Error(fmt::format("short write to {}", path.string()));
}

// The task's references over the ground truth (unknown cells of a live device's sample are
// never chosen), with the one tie-break of OracleIndex / ProxyCeilingIndex.
TaskReference ComputeReference(const GroundTruth& gt, const std::vector<double>& accuracy, const ScoreTable& proxy,
                               std::optional<double> budget) {
  TaskReference ref;
  ref.budget_ms = budget.value_or(0);
  ref.feasible_cells = FeasibleCells(gt.values(), budget);
  ref.oracle_index = OracleIndex(gt.values(), accuracy, budget);
  ref.proxy_oracle_index = ProxyCeilingIndex(gt.values(), proxy, budget);
  if (ref.oracle_index >= 0) ref.oracle_accuracy = accuracy[static_cast<std::size_t>(ref.oracle_index)];
  if (ref.proxy_oracle_index >= 0) {
    ref.proxy_oracle_accuracy = accuracy[static_cast<std::size_t>(ref.proxy_oracle_index)];
  }
  return ref;
}

}  // namespace

BenchRunner::BenchRunner(BenchConfig config, const BenchmarkData& data, DeviceEnvironment devices, ProbeStore& store,
                         BenchOptions options)
    : config_(std::move(config)), data_(&data), devices_(std::move(devices)), store_(&store), options_(std::move(options)) {}

const ScoreTable& BenchRunner::Proxy(Dataset dataset) {
  auto it = proxies_.find(dataset);
  if (it == proxies_.end()) {
    const fs::path path = ProxyTableFile(options_.proxy_dir, dataset);
    it = proxies_.emplace(dataset, ProxyScoreTable(LoadProxyTable(path, dataset), options_.aggregate)).first;
  }
  return it->second;
}

std::vector<RunRecord> BenchRunner::LoadRows() const { return ReadRunRecords(options_.out_dir / "runs.jsonl"); }

fs::path BenchRunner::LeaveOneOutController(const std::string& device, std::int64_t steps) {
  // The committed default's settings, minus the held-out device.
  const ControllerModel base = LoadControllerModel(options_.strategies.controller_model);
  return TrainLeaveOutController(*data_, Proxy(Dataset::kCifar100), {device}, SettingsOfModel(base, steps),
                                 options_.out_dir / "controllers" / LeaveOutName({device}))
      .model;
}

void BenchRunner::Run() {
  const std::unique_ptr<Cluster> one = SingleProcessCluster();
  Run(*one);
}

void BenchRunner::Run(Cluster& cluster) {
  const fs::path runs_file = options_.out_dir / "runs.jsonl";
  // Rank 0 reads what is done and tells the others.
  std::string done_text;
  if (cluster.leader()) {
    fs::create_directories(options_.out_dir);
    // Done: the rows of the current plan (key and config digest) that did not fail; runs of an
    // earlier config are stale and run again, failed runs are tried again.
    int stale = 0;
    plan_ = PlanRuns(config_, *data_);
    for (const RunRecord& row : RowsOfPlan(LoadRows(), plan_, &stale)) {
      if (!row.error) done_text += row.key + "\n";
    }
    if (stale > 0) spdlog::info("bench: {} rows of {} are not of this config (stale); their runs are redone", stale, runs_file.string());
  }
  if (cluster.size() > 1) done_text = cluster.Broadcast(done_text);
  std::set<std::string> done;
  for (std::size_t at = 0, nl; (nl = done_text.find('\n', at)) != std::string::npos; at = nl + 1) {
    done.insert(done_text.substr(at, nl - at));
  }
  if (!cluster.leader()) fs::create_directories(options_.out_dir);

  // Instantiate strategies once (they are reusable across searches).
  std::map<std::string, std::unique_ptr<Strategy>> strategies;

  // The units of work: one (group, device) pair each, in the order of a one-process run.
  std::vector<std::pair<const BenchGroup*, std::string>> units;
  for (const BenchGroup& group : config_.groups) {
    for (const std::string& spec : ExpandDevices(group, *data_)) units.emplace_back(&group, spec);
  }

  // Count the work first, for the progress line.
  std::int64_t total = 0;
  for (const BenchGroup& group : config_.groups) {
    const auto n_strategies = static_cast<std::int64_t>((group.strategies.empty() ? config_.strategies : group.strategies).size());
    const std::int64_t seeds = group.seeds > 0 ? group.seeds : config_.seeds;
    std::int64_t tasks = 0;
    if (group.kind == "help") tasks = static_cast<std::int64_t>(HelpTable4().size());
    else {
      const auto per_device = static_cast<std::int64_t>(group.datasets.size()) *
                              (group.kind == "percentile" || IsFbnetGroup(group)
                                   ? static_cast<std::int64_t>(group.percentiles.size())
                               : group.kind == "budgets"   ? static_cast<std::int64_t>(group.budgets_ms.size())
                                                           : 1);
      tasks = per_device * static_cast<std::int64_t>(ExpandDevices(group, *data_).size());
    }
    total += tasks * n_strategies * seeds * static_cast<std::int64_t>(group.probes.size());
  }
  std::optional<Progress> progress;
  if (cluster.leader()) {
    progress.emplace("bench " + config_.name + (cluster.size() > 1 ? fmt::format(" on {} ranks", cluster.size()) : ""),
                     total, static_cast<std::int64_t>(done.size()), "runs");
  }
  // Rank 0 receives finished runs ({"row": ...}) and ground-truth descriptions ({"source": ...}).
  const ResultHandler on_result = [&](const std::string& message) {
    const nlohmann::json m = nlohmann::json::parse(message);
    if (m.contains("source")) {
      sources_[m["source"].get<std::string>()] = m["text"].get<std::string>();
      return;
    }
    if (m.contains("unit_failed")) {
      unit_failures_.push_back(m["unit_failed"].get<std::string>());
      return;
    }
    AppendLine(runs_file, m["row"].dump());
    progress->Advance(1);
  };
  std::unique_ptr<WorkQueue> queue = cluster.Distribute(static_cast<std::int64_t>(units.size()), 1, on_result);
  while (const std::optional<std::int64_t> item = queue->Next()) {
    const auto& [group, spec] = units[static_cast<std::size_t>(*item)];
    const auto post = [&](const nlohmann::json& m) { queue->Post(m.dump()); };
    try {
      RunUnit(*group, spec, done, post, strategies);
    } catch (const DeviceError& e) {
      // A live device that gave no reference sample: its runs cannot be scored; the others go on.
      spdlog::warn("bench group {} on {}: {}", group->name, spec, e.what());
      post({{"unit_failed", fmt::format("group {} on {}: {}", group->name, spec, e.what())}});
    }
  }
  queue->Finish();
  if (progress) progress->Finish();
}

bool BenchRunner::UnitIsDone(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done) {
  if (plan_.empty()) plan_ = PlanRuns(config_, *data_);
  const std::string prefix = group.name + "|" + spec + "|";  // RunKey's first two fields
  bool any = false;
  for (auto it = plan_.lower_bound(prefix); it != plan_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    if (done.count(it->first) == 0) return false;
    any = true;
  }
  return any;
}

void BenchRunner::RunUnit(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done,
                          const std::function<void(const nlohmann::json&)>& post,
                          std::map<std::string, std::unique_ptr<Strategy>>& strategies) {
  const auto strategy = [&](const std::string& name) -> Strategy& {
    auto& s = strategies[name];
    if (!s) s = MakeStrategy(name, options_.strategies, data_->space_data().space());
    return *s;
  };
  const std::vector<std::string>& names = group.strategies.empty() ? config_.strategies : group.strategies;
  const int seeds = group.seeds > 0 ? group.seeds : config_.seeds;
  const std::string digest = GroupDigest(config_, group);
  if (IsFbnetGroup(group)) {
    RunFbnetBenchUnit(group, spec, digest, seeds, done, options_.fbnet_devices,
                      ScoreFiles{options_.proxy_dir, {}, options_.configs_dir}, *store_, post,
                      options_.fbnet_strategies);
    return;
  }
  {
    {
      const DeviceSpec device_spec = DeviceSpec::Parse(spec);
      std::unique_ptr<Device> device = OpenDevice(device_spec, devices_);
      std::unique_ptr<Device> shared;
      Device* target = device.get();
      std::optional<GroundTruth> gt;
      if (const LatencyTable* full = device->FullTable()) {
        gt = GroundTruth::FromTable(*full, "full benchmark table " + full->name());
      } else if (device->IsLive()) {
        if (UnitIsDone(group, spec, done)) {
          // Resuming: every run of this live device is done, and its reference sample is not
          // measured again (the runs keep the ground truth they were scored with).
          post({{"source", spec},
                {"text", fmt::format("reference sample (top {} by proxy per dataset + {} random, seed {}) measured live "
                                     "on {} when these runs were made, kept in the probe store",
                                     group.reference.top, group.reference.random, group.reference.seed,
                                     device->Spec())}});
          return;
        }
        std::vector<const ScoreTable*> proxies;
        for (Dataset d : group.datasets) proxies.push_back(&Proxy(d));
        gt = MeasureReferenceSample(*device, data_->space(), proxies, group.reference.top, group.reference.random,
                                    group.reference.seed, *store_);
        shared = std::make_unique<SharedMeasurementDevice>(*device, *store_, data_->space());
        target = shared.get();
      } else {
        throw Error(fmt::format("bench: device {} has neither a full table nor live measurements", spec));
      }
      post({{"source", spec}, {"text", gt->source()}});

      // The tasks of this group on this device.
      std::vector<BenchTask> tasks;
      if (group.kind == "help") {
        for (const HelpTask& t : HelpTable4()) {
          if (DeviceSpec::Table(t.device) == device_spec) tasks.push_back({group.name, spec, Dataset::kCifar100, t.budget_ms, {}, BudgetLabel(t.budget_ms)});
        }
      } else {
        for (Dataset dataset : group.datasets) {
          if (group.kind == "percentile") {
            for (double p : group.percentiles) {
              tasks.push_back({group.name, spec, dataset, gt->Percentile(p), p, PercentileLabel(p)});
            }
          } else if (group.kind == "budgets") {
            for (double b : group.budgets_ms) tasks.push_back({group.name, spec, dataset, b, {}, BudgetLabel(b)});
          } else {
            tasks.push_back({group.name, spec, dataset, std::nullopt, {}, "none"});
          }
        }
      }

      // An honest leave-one-device-out controller for a train device.
      std::unique_ptr<Strategy> loo_controller;
      const std::string& table_name = device_spec.table_name();
      const bool wants_loo = group.controller_loo_steps > 0 && !table_name.empty() && !IsTestDevice(table_name) &&
                             std::find(names.begin(), names.end(), "controller") != names.end();
      const auto strategy_for = [&](const std::string& name) -> Strategy& {
        if (name != "controller" || !wants_loo) return strategy(name);
        if (!loo_controller) {
          auto walk = std::make_unique<ControllerStrategy>(LeaveOneOutController(table_name, group.controller_loo_steps),
                                                           options_.strategies.unconstrained_controller_model);
          walk->set_name("controller");
          loo_controller = std::move(walk);
        }
        return *loo_controller;
      };

      for (const BenchTask& task : tasks) {
        const ScoreTable& proxy = Proxy(task.dataset);
        const std::vector<double>& accuracy = data_->Accuracy(task.dataset).test_accuracy;
        const TaskReference ref = ComputeReference(*gt, accuracy, proxy, task.budget_ms);
        const SearchSetup setup(data_->space_data(), *device, proxy, task.dataset);
        const SearchContext& context = setup.context();
        double lo = 1e300, hi = -1e300;
        for (int i : gt->known()) {
          lo = std::min(lo, gt->At(i));
          hi = std::max(hi, gt->At(i));
        }
        for (const std::string& name : names) {
          for (int probes : group.probes) {
            for (int seed = 0; seed < seeds; ++seed) {
              const std::string key =
                  RunKey(group.name, spec, task.dataset, task.budget_label, name, probes, seed);
              if (done.count(key) > 0) continue;
              ThrowIfInterrupted("benchmark");
              SearchTask search;
              search.latency_budget_ms = task.budget_ms;
              search.seed = static_cast<std::uint64_t>(seed);
              RunRecord row;
              row.key = key;
              row.group = group.name;
              row.kind = group.kind;
              row.device = spec;
              row.dataset = std::string(DatasetName(task.dataset));
              row.budget_label = task.budget_label;
              row.budget_ms = task.budget_ms;
              row.strategy = name;
              row.probes = probes;
              row.seed = seed;
              row.oracle_accuracy = ref.oracle_accuracy;
              row.oracle_index = ref.oracle_index;
              row.proxy_oracle_accuracy = ref.proxy_oracle_accuracy;
              row.proxy_oracle_index = ref.proxy_oracle_index;
              row.ground_truth_complete = gt->complete();
              row.config_digest = digest;
              try {
                const SearchReport report = RunSearch(strategy_for(name), *target, search, probes, context, nullptr,
                                                      "bench:" + key);
                row.probes_used = report.probes_used;
                row.wall_s = report.wall_seconds;
                for (const ProbeRecord& r : report.trajectory) row.trajectory.push_back(r.index);
                if (report.answer.found) {
                  const ProbeRecord& c = report.answer.chosen;
                  RunAnswer answer =
                      MeasuredAnswer(c, gt->Has(c.index) ? gt->At(c.index) : c.measurement.latency_ms, *gt);
                  answer.accuracy = accuracy[static_cast<std::size_t>(c.index)];
                  answer.proxy = report.answer.score;
                  answer.regret = ref.oracle_accuracy - answer.accuracy;
                  if (!task.budget_ms) {
                    answer.reward = UnconstrainedReward(proxy.Normalized(c.index), answer.true_latency_ms, lo, hi);
                  }
                  row.feasible = report.answer.feasible;
                  row.true_feasible = !task.budget_ms || answer.true_latency_ms <= *task.budget_ms;
                  row.answer = answer;
                }
              } catch (const DeviceError& e) {
                row.error = e.what();
                spdlog::warn("bench run {} failed: {}", key, e.what());
              }
              post({{"row", RunRecordToJson(row)}});
            }
          }
        }
      }
    }
  }
}

}  // namespace simnas
