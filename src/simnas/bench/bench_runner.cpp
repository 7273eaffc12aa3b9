#include "simnas/bench/bench_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/bench/ground_truth.h"
#include "simnas/devices/device_spec.h"
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

// The references of one task over the ground truth (unknown architectures of a live device's
// sample are never chosen), with the one tie-break of oracle.h: the score block's best
// objective within the budget, the proxy ceiling, and (with accuracy) the accuracy oracle.
struct TaskReference {
  RunScore score;                       // the block every run of the task starts from
  std::vector<double> feasible_scores;  // objectives within the budget, descending (rank shares)
  int oracle_index = -1;
  int proxy_oracle_index = -1;
  std::optional<double> oracle_accuracy;
  std::optional<double> proxy_oracle_accuracy;
  double lo = 1e300, hi = -1e300;       // the known latencies' range (the unconstrained reward)

  // Share of the feasible architectures with an objective strictly better than `value`.
  double RankShare(double value) const {
    if (feasible_scores.empty()) return 0;
    const auto better = std::lower_bound(feasible_scores.begin(), feasible_scores.end(), value,
                                         [](double element, double v) { return element > v; }) -
                        feasible_scores.begin();
    return static_cast<double>(better) / static_cast<double>(feasible_scores.size());
  }
};

TaskReference ComputeReference(const GroundTruth& gt, const std::vector<double>* accuracy, const ScoreTable& scores,
                               const LatencyTable& proxy_device, std::optional<double> budget) {
  TaskReference ref;
  ref.score.objective = scores.name();
  ref.score.proxy_device = proxy_device.name();
  for (int i : gt.known()) {
    ++ref.score.candidates;
    ref.lo = std::min(ref.lo, gt.At(i));
    ref.hi = std::max(ref.hi, gt.At(i));
    if (!budget || gt.At(i) <= *budget) ref.feasible_scores.push_back(scores(i));
  }
  std::sort(ref.feasible_scores.begin(), ref.feasible_scores.end(), std::greater<>());
  ref.score.feasible_candidates = static_cast<int>(ref.feasible_scores.size());
  ref.score.best_index = BestWithinBudget(gt.values(), scores.values(), budget);
  if (ref.score.best_index >= 0) ref.score.best_objective = scores(ref.score.best_index);
  ref.proxy_oracle_index = ProxyCeilingIndex(gt.values(), scores, budget);
  ref.oracle_index = ref.score.best_index;
  if (accuracy != nullptr) {
    ref.oracle_index = OracleIndex(gt.values(), *accuracy, budget);
    ref.oracle_accuracy = 0;
    ref.proxy_oracle_accuracy = 0;
    if (ref.oracle_index >= 0) ref.oracle_accuracy = (*accuracy)[static_cast<std::size_t>(ref.oracle_index)];
    if (ref.proxy_oracle_index >= 0) {
      ref.proxy_oracle_accuracy = (*accuracy)[static_cast<std::size_t>(ref.proxy_oracle_index)];
    }
  }
  return ref;
}

}  // namespace

BenchRunner::BenchRunner(BenchConfig config, BenchSpaces spaces, ProbeStore* store, BenchOptions options)
    : config_(std::move(config)), spaces_(std::move(spaces)), store_(store), options_(std::move(options)) {}

const ScoreTable& BenchRunner::Scores(const BenchGroup& group, Dataset dataset) {
  const std::string source = group.objective.empty() ? options_.score_source : group.objective;
  const std::string key = fmt::format("{}|{}|{}", group.space->name(), DatasetName(dataset), source);
  auto it = scores_.find(key);
  if (it == scores_.end()) it = scores_.emplace(key, spaces_.scores(*group.space, dataset, source)).first;
  return it->second;
}

std::vector<RunRecord> BenchRunner::LoadRows() const { return ReadRunRecords(options_.out_dir / "runs.jsonl"); }

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
    plan_ = PlanRuns(config_, spaces_.data);
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

  // The units of work: one (group, device) pair each, in the order of a one-process run.
  std::vector<std::pair<const BenchGroup*, std::string>> units;
  for (const BenchGroup& group : config_.groups) {
    for (const std::string& spec : ExpandDevices(group, spaces_.data(*group.space))) units.emplace_back(&group, spec);
  }

  // The progress line counts the planned runs.
  std::optional<Progress> progress;
  if (cluster.leader()) {
    progress.emplace("bench " + config_.name + (cluster.size() > 1 ? fmt::format(" on {} ranks", cluster.size()) : ""),
                     static_cast<std::int64_t>(plan_.size()), static_cast<std::int64_t>(done.size()), "runs");
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
      RunUnit(*group, spec, done, post);
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
  if (plan_.empty()) plan_ = PlanRuns(config_, spaces_.data);
  const std::string prefix = group.name + "|" + spec + "|";  // RunKey's first two fields
  bool any = false;
  for (auto it = plan_.lower_bound(prefix); it != plan_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    if (done.count(it->first) == 0) return false;
    any = true;
  }
  return any;
}

void BenchRunner::RunUnit(const BenchGroup& group, const std::string& spec, const std::set<std::string>& done,
                          const std::function<void(const nlohmann::json&)>& post) {
  const Space& space = *group.space;
  const SpaceData& data = spaces_.data(space);
  const StrategyResources resources = spaces_.strategies(space);
  const auto strategy = [&](const std::string& name) -> Strategy& {
    auto& s = strategies_[fmt::format("{}|{}", space.name(), name)];
    if (!s && spaces_.make_strategy) s = spaces_.make_strategy(space, name);
    if (!s) s = MakeStrategy(name, resources, space);
    return *s;
  };
  const std::vector<std::string>& names = group.strategies.empty() ? config_.strategies : group.strategies;
  const int seeds = group.seeds > 0 ? group.seeds : config_.seeds;
  const std::string digest = GroupDigest(config_, group);
  const std::string kind = QualifiedKind(group);
  const DeviceSpec device_spec = DeviceSpec::Parse(spec);
  std::unique_ptr<Device> device =
      spaces_.open_device ? spaces_.open_device(space, device_spec) : OpenDevice(device_spec, spaces_.devices(space));
  std::unique_ptr<Device> shared;
  Device* target = device.get();
  std::optional<GroundTruth> gt;
  std::vector<double> sample_budgets;  // a per-budget reference sample's percentile budgets
  if (const LatencyTable* full = device->FullTable()) {
    gt = GroundTruth::FromTable(*full, fmt::format("full benchmark table {} ({} {}s, exact latencies)", full->name(),
                                                   full->values().size(), space.arch_noun()));
  } else if (const LatencyTable* part = device->ReplayedTable();
             part != nullptr && !device->IsLive() && static_cast<int>(part->values().size()) == data.Numbering().size()) {
    // A device that answers some of the numbered architectures (a partial table, or a device of
    // the space's own that covers only some): the ones it answers are the ground truth and, through
    // SearchSetup, the candidates.
    if (part->CountKnown() == 0) {
      throw Error(fmt::format("bench: device {} answers none of the {} {}s of {}", spec, data.Numbering().size(),
                              space.arch_noun(), data.Numbering().source()));
    }
    gt = GroundTruth::FromTable(*part, fmt::format("the {} of the {} {}s that device {} answers (exact latencies; the "
                                                   "candidates of its runs)",
                                                   part->CountKnown(), part->values().size(), space.arch_noun(), spec));
  } else if (device->IsLive()) {
    if (store_ == nullptr) throw Error(fmt::format("bench: live device {} needs a probe store", spec));
    if (UnitIsDone(group, spec, done)) {
      // Resuming: every run of this live device is done, and its reference sample is not
      // measured again (the runs keep the ground truth they were scored with).
      post({{"source", spec},
            {"text", fmt::format("reference sample (top {} by score{} + {} random, seed {}) measured live on {} when "
                                 "these runs were made, kept in the probe store",
                                 group.reference.top, ReferencePerBudget(group) ? " per budget" : " per dataset",
                                 group.reference.random, group.reference.seed, device->Spec())}});
      return;
    }
    if (ReferencePerBudget(group)) {
      if (group.kind != "percentile") {
        throw Error(fmt::format("bench group {}: a per-budget reference sample sets percentile budgets; kind {} "
                                "needs reference.per_budget false",
                                group.name, group.kind));
      }
      const Device& probe = *device;
      gt = MeasureBudgetReference(*device, data.Numbering(), Scores(group, group.datasets.front()),
                                  TrainTablesFor(data, probe), group.percentiles, group.reference.top,
                                  group.reference.random, group.reference.seed, *store_, sample_budgets);
    } else {
      std::vector<const ScoreTable*> proxies;
      for (Dataset d : group.datasets) proxies.push_back(&Scores(group, d));
      gt = MeasureReferenceSample(*device, data.Numbering(), proxies, group.reference.top, group.reference.random,
                                  group.reference.seed, *store_);
    }
    shared = std::make_unique<SharedMeasurementDevice>(*device, *store_, data.Numbering());
    target = shared.get();
  } else {
    throw Error(fmt::format("bench: device {} has neither a full table nor live measurements", spec));
  }
  post({{"source", spec}, {"text", gt->source()}});

  // The tasks of this group on this device.
  std::vector<BenchTask> tasks;
  if (group.kind == "help") {
    for (const HelpTask& t : HelpTable4()) {
      if (DeviceSpec::Table(t.device) == device_spec) {
        tasks.push_back({group.name, spec, Dataset::kCifar100, t.budget_ms, {}, BudgetLabel(t.budget_ms)});
      }
    }
  } else {
    for (Dataset dataset : group.datasets) {
      if (group.kind == "percentile") {
        for (std::size_t k = 0; k < group.percentiles.size(); ++k) {
          const double p = group.percentiles[k];
          const double budget = sample_budgets.empty() ? gt->Percentile(p) : sample_budgets[k];
          tasks.push_back({group.name, spec, dataset, budget, p, PercentileLabel(p)});
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
  const bool wants_loo = group.controller_loo_steps > 0 && !table_name.empty() && !space.IsTestDevice(table_name) &&
                         std::find(names.begin(), names.end(), "controller") != names.end();
  const auto strategy_for = [&](const std::string& name) -> Strategy& {
    if (name != "controller" || !wants_loo) return strategy(name);
    if (!loo_controller) {
      if (!spaces_.held_out_controller) {
        throw Error(fmt::format("bench group {}: controller_loo_steps: no leave-one-out controller here", group.name));
      }
      loo_controller = spaces_.held_out_controller(space, table_name, group.controller_loo_steps,
                                                   Scores(group, Dataset::kCifar100),
                                                   options_.out_dir / "controllers" / table_name);
    }
    return *loo_controller;
  };

  for (const BenchTask& task : tasks) {
    const ScoreTable& scores = Scores(group, task.dataset);
    const std::vector<double>* accuracy = data.Accuracy(task.dataset);
    std::vector<const LatencyTable*> train_tables;
    for (const LatencyTable* t : TrainTablesFor(data, *device)) {
      if (std::find(options_.withheld.begin(), options_.withheld.end(), t->name()) == options_.withheld.end()) {
        train_tables.push_back(t);
      }
    }
    const SearchSetup setup(data.Numbering(), *device, scores, train_tables, accuracy);
    // The proxy device is chosen once per task (every strategy that follows one follows it).
    SearchContext context = setup.context();
    context.proxy = &ProxyDeviceTable(context);
    const TaskReference ref = ComputeReference(*gt, accuracy, scores, *context.proxy, task.budget_ms);
    for (const std::string& name : names) {
      for (int probes : group.probes) {
        for (int seed = 0; seed < seeds; ++seed) {
          const std::string key = RunKey(group.name, spec, task.dataset, task.budget_label, name, probes, seed);
          if (done.count(key) > 0) continue;
          ThrowIfInterrupted("benchmark");
          SearchTask search;
          search.latency_budget_ms = task.budget_ms;
          search.seed = static_cast<std::uint64_t>(seed);
          RunRecord row;
          row.key = key;
          row.group = group.name;
          row.kind = kind;
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
          // Complete: it knows every candidate (a table, or a device answering exactly its candidates).
          row.ground_truth_complete = gt->complete() || static_cast<int>(gt->known().size()) == context.candidates->size();
          row.config_digest = digest;
          RunScore score = ref.score;
          try {
            const SearchReport report =
                RunSearch(strategy_for(name), *target, search, probes, context, nullptr, "bench:" + key);
            row.probes_used = report.probes_used;
            row.wall_s = report.wall_seconds;
            // Candidate positions as indices in the space's numbering (the ground truth's).
            const CandidateSet& candidates = *context.candidates;
            for (const ProbeRecord& r : report.trajectory) row.trajectory.push_back(r.index < 0 ? r.index : candidates.NumberOf(r.index));
            if (report.answer.found) {
              ProbeRecord c = report.answer.chosen;
              if (c.index >= 0) c.index = candidates.NumberOf(c.index);
              // An answer outside a live device's sample: its own measurement (shared by every run).
              RunAnswer answer = MeasuredAnswer(c, gt->Has(c.index) ? gt->At(c.index) : c.measurement.latency_ms, *gt);
              answer.proxy = report.answer.score;
              if (accuracy != nullptr) {
                answer.accuracy = (*accuracy)[static_cast<std::size_t>(c.index)];
                answer.regret = *ref.oracle_accuracy - *answer.accuracy;
              }
              if (!task.budget_ms) {
                answer.reward = UnconstrainedReward(scores.Normalized(c.index), answer.true_latency_ms, ref.lo, ref.hi);
              }
              row.feasible = report.answer.feasible;
              row.true_feasible = !task.budget_ms || answer.true_latency_ms <= *task.budget_ms;
              row.answer = answer;
              score.answer_objective = report.answer.score;
              if (row.feasible) {
                score.regret = score.best_objective - report.answer.score;
                score.rank_share = ref.RankShare(report.answer.score);
              }
            }
          } catch (const DeviceError& e) {
            row.error = e.what();
            spdlog::warn("bench run {} failed: {}", key, e.what());
          }
          row.score = score;
          post({{"row", RunRecordToJson(row)}});
        }
      }
    }
  }
}

}  // namespace simnas
