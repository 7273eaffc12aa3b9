#include "simnas/bench/fbnet_bench.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/bench/ground_truth.h"
#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/stats.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/devices/device_spec.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/search_runner.h"

namespace simnas {

double FbnetReference::RankShare(double value) const {
  if (feasible_objectives.empty()) return 0;
  // Descending: the better ones come first; the first one not better ends them.
  const auto better = std::lower_bound(feasible_objectives.begin(), feasible_objectives.end(), value,
                                       [](double element, double v) { return element > v; }) -
                      feasible_objectives.begin();
  return static_cast<double>(better) / static_cast<double>(feasible_objectives.size());
}

FbnetReference ComputeFbnetReference(const std::vector<double>& latency, const std::vector<double>& objective,
                                     double budget_ms) {
  if (latency.size() != objective.size()) {
    throw Error(fmt::format("FBNet reference: {} latencies for {} objective scores", latency.size(), objective.size()));
  }
  FbnetReference ref;
  for (std::size_t i = 0; i < latency.size(); ++i) {
    if (std::isnan(latency[i])) continue;  // not measured (a live device's sample)
    ++ref.candidates;
    if (latency[i] > budget_ms) continue;
    ++ref.feasible;
    ref.feasible_objectives.push_back(objective[i]);
    const auto best = static_cast<std::size_t>(ref.best_index);
    if (ref.best_index < 0 || objective[i] > objective[best] ||
        (objective[i] == objective[best] && latency[i] < latency[best])) {
      ref.best_index = static_cast<int>(i);
    }
  }
  if (ref.best_index >= 0) ref.best_objective = objective[static_cast<std::size_t>(ref.best_index)];
  std::sort(ref.feasible_objectives.begin(), ref.feasible_objectives.end(), std::greater<>());
  return ref;
}

namespace {

// Every run of the group not in `done`, scored against `truth`.
void RunFbnetBenchOn(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                     const std::set<std::string>& done, Device& device, const FbnetGroundTruth& truth,
                     const SearchContext& context, const std::function<void(const nlohmann::json&)>& post,
                     const StrategyResources& strategies) {
  const ScoreTable& objective = *context.scores;
  const LatencyTable& table = truth.latency;
  const GroundTruth gt = GroundTruth::FromTable(table, truth.source);
  std::map<std::string, std::unique_ptr<Strategy>> made;
  for (std::size_t b = 0; b < group.percentiles.size(); ++b) {
    const double budget = truth.budgets_ms[b];
    const std::string label = PercentileLabel(group.percentiles[b]);
    const FbnetReference ref = ComputeFbnetReference(table.values(), objective.values(), budget);
    for (const std::string& strategy_name : group.strategies) {
      auto& strategy = made[strategy_name];
      if (!strategy) strategy = MakeStrategy(strategy_name, strategies, FbnetSpace());
      for (int probes : group.probes) {
        for (int seed = 0; seed < seeds; ++seed) {
          const std::string key = RunKey(group.name, spec, Dataset::kCifar100, label, strategy_name, probes, seed);
          if (done.count(key) > 0) continue;
          ThrowIfInterrupted("benchmark");
          RunRecord row;
          row.key = key;
          row.group = group.name;
          row.kind = group.kind;
          row.device = spec;
          row.dataset = std::string(DatasetName(Dataset::kCifar100));
          row.budget_label = label;
          row.budget_ms = budget;
          row.strategy = strategy_name;
          row.probes = probes;
          row.seed = seed;
          row.oracle_index = ref.best_index;
          row.proxy_oracle_index = ref.best_index;
          row.ground_truth_complete = truth.complete;
          row.config_digest = digest;
          FbnetRunScore score;
          score.objective = objective.name();
          score.proxy_device = context.proxy->name();
          score.candidates = ref.candidates;
          score.feasible_candidates = ref.feasible;
          score.best_objective = ref.best_objective;
          score.best_index = ref.best_index;
          try {
            const SearchReport report = RunSearch(*strategy, device, SearchTask{budget, static_cast<std::uint64_t>(seed)},
                                                  probes, context, nullptr, "bench:" + key);
            row.probes_used = report.probes_used;
            row.wall_s = report.wall_seconds;
            for (const ProbeRecord& r : report.trajectory) row.trajectory.push_back(r.index);
            if (report.answer.found) {
              const ProbeRecord& c = report.answer.chosen;
              // An answer outside a live device's sample: its own measurement (shared by every run).
              RunAnswer answer =
                  MeasuredAnswer(c, table.Has(c.index) ? table.At(c.index) : c.measurement.latency_ms, gt);
              answer.proxy = report.answer.score;
              row.feasible = report.answer.feasible;
              row.true_feasible = answer.true_latency_ms <= budget;
              row.answer = answer;
              score.answer_objective = report.answer.score;
              if (row.feasible) {
                score.regret = ref.best_objective - report.answer.score;
                score.rank_share = ref.RankShare(report.answer.score);
              }
            }
          } catch (const DeviceError& e) {
            row.error = e.what();
            spdlog::warn("bench run {} failed: {}", key, e.what());
          }
          row.fbnet = score;
          post({{"row", RunRecordToJson(row)}});
        }
      }
    }
  }
}

bool AllRunsDone(const BenchGroup& group, const std::string& spec, int seeds, const std::set<std::string>& done) {
  for (double p : group.percentiles) {
    for (const std::string& strategy : group.strategies) {
      for (int probes : group.probes) {
        for (int seed = 0; seed < seeds; ++seed) {
          if (done.count(RunKey(group.name, spec, Dataset::kCifar100, PercentileLabel(p), strategy, probes, seed)) ==
              0) {
            return false;
          }
        }
      }
    }
  }
  return true;
}

}  // namespace

void RunFbnetBenchUnit(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                       const std::set<std::string>& done, const DeviceEnvironment& env,
                       const ScoreFiles& files, ProbeStore& store,
                       const std::function<void(const nlohmann::json&)>& post,
                       const StrategyResources& strategies) {
  if (env.data == nullptr) throw Error(fmt::format("bench group {}: no FBNet tables given", group.name));
  FbnetTables fbnet(*env.data);
  const DeviceSpec device_spec = DeviceSpec::Parse(spec);
  const std::string& name = device_spec.table_name();
  std::unique_ptr<Device> device = OpenDevice(device_spec, env);
  const bool live = device->IsLive();
  if ((name.empty() || device_spec.is_table_file()) && !live) {
    throw Error(fmt::format("bench group {}: device {} is neither table:NAME nor a live device (local, opencv, cmd:); "
                            "an fbnet-percentile group runs on HELP's FBNet tables or measures live",
                            group.name, spec));
  }
  std::vector<const LatencyTable*> train_tables;
  for (const std::string& train : FbnetTables::TrainDevices()) {
    if (train != name) train_tables.push_back(&fbnet.Table(train));  // the target's own left out
  }
  if (live) {
    RunFbnetLiveBenchTasks(group, spec, digest, seeds, done, *device, fbnet.Numbering(), train_tables, files, store,
                           post, strategies);
    return;
  }
  RunFbnetBenchTasks(group, spec, digest, seeds, done, *device, fbnet.Table(name), fbnet.Numbering(), train_tables,
                     files, post, strategies);
}

void RunFbnetBenchTasks(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                        const std::set<std::string>& done, Device& device, const LatencyTable& table,
                        const FbnetNumbering& candidates, const std::vector<const LatencyTable*>& train_tables,
                        const ScoreFiles& files, const std::function<void(const nlohmann::json&)>& post,
                        const StrategyResources& strategies) {
  RunFbnetBenchTasksWithObjective(group, spec, digest, seeds, done, device, table, candidates, train_tables,
                                  MakeScoreTable(candidates, Dataset::kCifar100, group.objective, files), post, strategies);
}

void RunFbnetBenchTasksWithObjective(const BenchGroup& group, const std::string& spec, const std::string& digest,
                                     int seeds, const std::set<std::string>& done, Device& device,
                                     const LatencyTable& table, const FbnetNumbering& candidates,
                                     const std::vector<const LatencyTable*>& train_tables,
                                     const ScoreTable& objective,
                                     const std::function<void(const nlohmann::json&)>& post,
                                     const StrategyResources& strategies) {
  if (static_cast<int>(table.values().size()) != candidates.size()) {
    throw Error(fmt::format("bench group {}: table {} holds {} latencies for {} FBNet candidates", group.name,
                            table.name(), table.values().size(), candidates.size()));
  }
  FbnetGroundTruth truth;
  truth.latency = table;
  truth.source = fmt::format("FBNet table {} ({} networks, exact latencies)", table.name(), candidates.size());
  for (double p : group.percentiles) truth.budgets_ms.push_back(Percentile(table.values(), p));
  post({{"source", spec}, {"text", truth.source}});
  SearchContext context;
  context.candidates = &candidates.candidates();
  context.scores = &objective;
  context.train_tables = train_tables;
  context.proxy = &ProxyDeviceTable(context);
  RunFbnetBenchOn(group, spec, digest, seeds, done, device, truth, context, post, strategies);
}

FbnetGroundTruth MeasureFbnetReference(Device& device, const FbnetNumbering& candidates,
                                       const ScoreTable& objective,
                                       const std::vector<const LatencyTable*>& train_tables,
                                       const std::vector<double>& percentiles, const ReferenceSampleSpec& reference,
                                       ProbeStore& store) {
  const int n = candidates.size();
  if (reference.random < 3) {
    throw Error(fmt::format("FBNet reference sample on {}: reference.random is {}, at least 3 are needed (the budgets "
                            "are their percentiles)",
                            device.Spec(), reference.random));
  }
  const std::string run_id = fmt::format("bench-fbnet-reference:top={}:random={}:seed={}", reference.top,
                                         reference.random, reference.seed);
  // 1. Uniformly random candidates: the budgets.
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(reference.seed);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(static_cast<std::size_t>(std::min(reference.random, n)));
  const MeasuredSample random = MeasureSample(device, candidates, order, run_id, store, "FBNet reference (random)");
  if (random.measured.size() < 3) {
    throw Error(fmt::format("FBNet reference sample on {}: only {} of {} random networks could be measured",
                            device.Spec(), random.measured.size(), order.size()));
  }
  std::vector<double> random_ms, budgets;
  for (const auto& [index, ms] : random.measured) random_ms.push_back(ms);
  for (double q : percentiles) budgets.push_back(Percentile(random_ms, q));
  // 2. Per budget, the best objective among those the best-correlated train table, scaled, puts within it.
  const LatencyTable* predictor = nullptr;
  double best_srcc = -2, scale = 1;
  for (const LatencyTable* t : train_tables) {
    std::vector<double> table_ms;
    for (const auto& [index, ms] : random.measured) table_ms.push_back(t->At(index));
    const double srcc = Spearman(random_ms, table_ms);
    if (srcc > best_srcc) {
      best_srcc = srcc;
      predictor = t;
      std::vector<double> ratio;
      for (std::size_t k = 0; k < table_ms.size(); ++k) ratio.push_back(random_ms[k] / table_ms[k]);
      scale = Median(ratio);
    }
  }
  std::set<int> chosen(order.begin(), order.end());
  std::vector<int> by_objective(static_cast<std::size_t>(n));
  std::iota(by_objective.begin(), by_objective.end(), 0);
  std::stable_sort(by_objective.begin(), by_objective.end(),
                   [&](int a, int b) { return objective(a) > objective(b); });
  std::vector<int> top;
  if (predictor != nullptr && reference.top > 0) {
    for (double budget : budgets) {
      int added = 0;
      for (int index : by_objective) {
        if (added == reference.top) break;
        if (predictor->At(index) * scale > budget) continue;
        ++added;
        if (chosen.insert(index).second) top.push_back(index);
      }
    }
  }
  const MeasuredSample best = MeasureSample(device, candidates, top, run_id, store, "FBNet reference (top)");
  FbnetGroundTruth truth;
  std::vector<double> ms(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());
  for (const MeasuredSample* part : {&random, &best}) {
    for (const auto& [index, latency] : part->measured) ms[static_cast<std::size_t>(index)] = latency;
  }
  truth.latency = LatencyTable(device.Spec(), std::move(ms));
  truth.budgets_ms = budgets;
  truth.complete = false;
  const int left_out = random.left_out + best.left_out;
  truth.source = fmt::format(
      "reference sample of {} FBNet networks measured live on {}: {} uniformly random (seed {}; the budgets are their "
      "percentiles) + {} more, the top {} by {} per budget among those predicted within it by table {} (SRCC {:.3f} "
      "to the random ones, scaled x{:.4g}){}; proxy regret is against the best within the budget among these measured "
      "networks; kept in the probe store",
      truth.latency.CountKnown(), device.Spec(), random.measured.size(), reference.seed, best.measured.size(),
      reference.top, objective.name(), predictor != nullptr ? predictor->name() : "(none)", best_srcc, scale,
      left_out == 0 ? "" : fmt::format("; {} networks left out: failed three times", left_out));
  return truth;
}

void RunFbnetLiveBenchTasks(const BenchGroup& group, const std::string& spec, const std::string& digest, int seeds,
                            const std::set<std::string>& done, Device& device, const FbnetNumbering& candidates,
                            const std::vector<const LatencyTable*>& train_tables, const ScoreFiles& files,
                            ProbeStore& store, const std::function<void(const nlohmann::json&)>& post,
                            const StrategyResources& strategies) {
  if (AllRunsDone(group, spec, seeds, done)) {
    // Resuming: every run of this live device is done; its reference sample is not measured
    // again (the runs keep the ground truth they were scored with).
    post({{"source", spec},
          {"text", fmt::format("reference sample of FBNet networks (top {} per budget + {} random, seed {}) measured "
                               "live on {} when these runs were made, kept in the probe store",
                               group.reference.top, group.reference.random, group.reference.seed, device.Spec())}});
    return;
  }
  const ScoreTable objective = MakeScoreTable(candidates, Dataset::kCifar100, group.objective, files);
  const FbnetGroundTruth truth =
      MeasureFbnetReference(device, candidates, objective, train_tables, group.percentiles, group.reference, store);
  post({{"source", spec}, {"text", truth.source}});
  SearchContext context;
  context.candidates = &candidates.candidates();
  context.scores = &objective;
  context.train_tables = train_tables;
  context.proxy = &ProxyDeviceTable(context);
  SharedMeasurementDevice shared(device, store, candidates);
  RunFbnetBenchOn(group, spec, digest, seeds, done, shared, truth, context, post, strategies);
}

std::vector<FbnetStrategySummary> SummarizeFbnet(const std::vector<const RunRecord*>& rows) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> by;
  for (const RunRecord* r : rows) {
    if (by.find(r->strategy) == by.end()) order.push_back(r->strategy);
    by[r->strategy].push_back(r);
  }
  std::vector<FbnetStrategySummary> out;
  for (const std::string& s : order) {
    FbnetStrategySummary sum;
    sum.strategy = s;
    std::vector<double> objective, best, regret, rank, probes, wall;
    for (const RunRecord* r : by[s]) {
      ++sum.runs;
      probes.push_back(r->probes_used);
      wall.push_back(r->wall_s);
      if (r->fbnet) best.push_back(r->fbnet->best_objective);
      if (!r->feasible || !r->answer || !r->fbnet || !r->fbnet->regret) {
        ++sum.violations;
        continue;
      }
      objective.push_back(*r->fbnet->answer_objective);
      regret.push_back(*r->fbnet->regret);
      rank.push_back(r->fbnet->rank_share.value_or(0));
    }
    const auto mean = [](const std::vector<double>& v) { return v.empty() ? 0.0 : Mean(v); };
    sum.objective_mean = mean(objective);
    sum.best_mean = mean(best);
    sum.regret_mean = mean(regret);
    sum.rank_share_mean = mean(rank);
    sum.probes_mean = mean(probes);
    sum.wall_mean = mean(wall);
    out.push_back(sum);
  }
  return out;
}

namespace {

// Objective values as printed: multiply-adds in millions, anything else as is.
struct Units {
  double scale = 1;
  std::string suffix;
};
Units UnitsOf(const std::string& objective) {
  if (objective == "multiply-adds") return {1e-6, " (M)"};
  return {};
}

}  // namespace

std::string FbnetReportSection(const BenchGroup& group, const std::vector<RunRecord>& rows, std::string& summary_csv) {
  std::vector<const RunRecord*> mine;
  for (const RunRecord& r : rows) {
    if (r.group == group.name) mine.push_back(&r);
  }
  const bool table_devices = std::all_of(mine.begin(), mine.end(), [](const RunRecord* r) { return r->ground_truth_complete; });
  std::string md = fmt::format("## {} (FBNet: budgets at latency percentiles of each device's {})\n\n", group.name,
                               table_devices ? "own table" : "measured reference sample");
  if (mine.empty()) return md + "No runs yet.\n\n";
  const std::string objective = mine.front()->fbnet ? mine.front()->fbnet->objective : group.objective;
  const Units units = UnitsOf(objective);
  int candidates = mine.front()->fbnet ? mine.front()->fbnet->candidates : 0;
  const std::string against =
      !table_devices ? fmt::format("the {} networks of the device's reference sample (measured live; see Ground truth above: "
                         "the budgets are percentiles of its random part) whose measured latency is within the budget, "
                         "not all of HELP's 5,000, so a regret can be negative when an answer outside the sample beats "
                         "them",
                         candidates)
           : fmt::format("the table's {} networks whose exact latency is within the budget", candidates);
  md += fmt::format(
      "**FBNet has no trained accuracy: nothing in this section is an accuracy.** Every answer is scored by its "
      "objective, **{}** (a stand-in proxy, higher is better), against the best objective among {}: *proxy regret* = best − answer's objective{}; *rank share* = "
      "share of the networks within the budget with a strictly better objective than the answer (0 = the best "
      "one). Both are over feasible answers only. *violations* = runs with no probed network within the budget or "
      "an answer measured over it. The answer rule is the same for every strategy: the best objective among the "
      "probed networks whose measured latency is within the budget. Strategy `default` = `{}`. The proxy-based "
      "strategies follow the train table with the best mean SRCC to the other train tables (the target's own left "
      "out).\n\n",
      objective, against, units.suffix, FbnetSpace().DefaultStrategy());
  std::vector<int> probes = group.probes;
  std::sort(probes.begin(), probes.end());
  const auto table_of = [&](const std::vector<FbnetStrategySummary>& sums) {
    std::string t = fmt::format("| strategy | runs | violations | objective of feasible answers{0} | best within "
                                "budget{0} | proxy regret{0} | rank share | probes | wall s |\n",
                                units.suffix);
    t += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const FbnetStrategySummary& s : sums) {
      t += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.4f} | {:.1f} | {:.4f} |\n", s.strategy, s.runs,
                       s.violations, s.objective_mean * units.scale, s.best_mean * units.scale,
                       s.regret_mean * units.scale, s.rank_share_mean, s.probes_mean, s.wall_mean);
    }
    return t;
  };
  const auto csv_rows = [&](const std::string& budget, int p, const std::vector<FbnetStrategySummary>& sums) {
    for (const FbnetStrategySummary& s : sums) {
      summary_csv += fmt::format("{},{},{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6f},{:.2f},{:.5f}\n", group.name, budget,
                                 p, s.strategy, s.runs, s.violations, objective, s.objective_mean, s.best_mean,
                                 s.regret_mean, s.rank_share_mean, s.probes_mean, s.wall_mean);
    }
  };
  for (int p : probes) {
    std::vector<const RunRecord*> at;
    for (const RunRecord* r : mine) {
      if (r->probes == p) at.push_back(r);
    }
    if (at.empty()) continue;
    const auto sums = SummarizeFbnet(at);
    md += fmt::format("### {} probes, all devices and budgets\n\n", p) + table_of(sums) + "\n";
    csv_rows("all", p, sums);
    // Per budget percentile.
    md += fmt::format("Proxy regret{} (violations) per budget:\n\n| strategy |", units.suffix);
    for (double q : group.percentiles) md += " " + PercentileLabel(q) + " |";
    md += "\n|---|";
    for (std::size_t i = 0; i < group.percentiles.size(); ++i) md += "---:|";
    md += "\n";
    std::map<std::string, std::vector<FbnetStrategySummary>> per_budget;
    for (double q : group.percentiles) {
      std::vector<const RunRecord*> bq;
      for (const RunRecord* r : at) {
        if (r->budget_label == PercentileLabel(q)) bq.push_back(r);
      }
      per_budget[PercentileLabel(q)] = SummarizeFbnet(bq);
      csv_rows(PercentileLabel(q), p, per_budget[PercentileLabel(q)]);
    }
    for (const FbnetStrategySummary& s : sums) {
      md += "| " + s.strategy + " |";
      for (double q : group.percentiles) {
        const auto& list = per_budget[PercentileLabel(q)];
        const auto it = std::find_if(list.begin(), list.end(), [&](const auto& x) { return x.strategy == s.strategy; });
        md += it == list.end() ? " |" : fmt::format(" {:.3f} ({}) |", it->regret_mean * units.scale, it->violations);
      }
      md += "\n";
    }
    md += "\n";
    // Per device.
    std::vector<std::string> devices;
    for (const RunRecord* r : at) {
      if (std::find(devices.begin(), devices.end(), r->device) == devices.end()) devices.push_back(r->device);
    }
    md += fmt::format("Proxy regret{} (violations) per device, and the proxy device followed:\n\n| device | proxy "
                      "device |",
                      units.suffix);
    for (const auto& s : sums) md += " " + s.strategy + " |";
    md += "\n|---|---|";
    for (std::size_t i = 0; i < sums.size(); ++i) md += "---:|";
    md += "\n";
    for (const std::string& d : devices) {
      std::vector<const RunRecord*> dr;
      for (const RunRecord* r : at) {
        if (r->device == d) dr.push_back(r);
      }
      const auto dsum = SummarizeFbnet(dr);
      md += fmt::format("| {} | {} |", d, dr.front()->fbnet ? dr.front()->fbnet->proxy_device : "");
      for (const auto& s : sums) {
        const auto it = std::find_if(dsum.begin(), dsum.end(), [&](const auto& x) { return x.strategy == s.strategy; });
        md += it == dsum.end() ? " |" : fmt::format(" {:.3f} ({}) |", it->regret_mean * units.scale, it->violations);
      }
      md += "\n";
    }
    md += "\n";
  }
  return md;
}

}  // namespace simnas
