#include "simnas/workspace/bench.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/bench/bench_report.h"
#include "simnas/bench/bench_runner.h"
#include "simnas/bench/leave_one_out.h"
#include "simnas/controller/controller_model.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/registry.h"
#include "simnas/spaces/nb201/help_answers.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/strategies/controller_strategy.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

// The proxy table a --proxy-dir gives `space` for `dataset`: <dir>/<dataset>.csv in the default
// space, <dir>/<space>/<dataset>.csv in any other (the shipped layout); empty: the shipped one.
fs::path ProxyTableIn(const fs::path& dir, const Space& space, Dataset dataset) {
  if (dir.empty()) return {};
  if (space.name() == kDefaultSpaceName) return ProxyTableFile(dir, dataset);
  return dir / std::string(space.name()) / (std::string(DatasetName(dataset)) + ".csv");
}

// HELP + MetaD2A published answers to HELP's table, scored on the benchmark tables (the default
// space's only: HELP published cells).
std::string HelpPublishedSection(const SpaceData& data) {
  if (data.space().name() != Nb201Space().name()) return "";
  std::vector<HelpAnswer> answers;
  try {
    answers = LoadHelpAnswers(data.dir());
  } catch (const DataError& e) {
    spdlog::warn("HELP answers unavailable: {}", e.what());
    return "";
  }
  const std::vector<double>& acc = data.RequireAccuracy(Dataset::kCifar100);
  std::string md =
      "HELP + MetaD2A (10 target samples, meta-trained on other devices' measurements), as published in HELP's "
      "repository (`architecture_config/`), scored on the same benchmark tables:\n\n"
      "| device | budget ms | HELP's reported latency | latency on the table | within budget | CIFAR-100 accuracy |\n"
      "|---|---:|---:|---:|---|---:|\n";
  std::map<std::string, std::vector<const HelpAnswer*>> by_device;
  for (const HelpAnswer& a : answers) by_device[a.device].push_back(&a);
  std::vector<double> feasible_acc, all_acc;
  int violations = 0;
  for (const HelpTask& t : HelpTable4()) {
    auto& list = by_device[t.device];
    // HELP's three answers per device are matched to the three budgets in increasing order.
    std::vector<double> budgets;
    for (const HelpTask& u : HelpTable4()) {
      if (u.device == t.device) budgets.push_back(u.budget_ms);
    }
    const auto rank = static_cast<std::size_t>(std::find(budgets.begin(), budgets.end(), t.budget_ms) - budgets.begin());
    if (rank >= list.size()) continue;
    const HelpAnswer& a = *list[rank];
    const int index = data.Numbering().IndexOf(ToArch(a.cell));
    const double latency = data.DeviceTable(t.device).At(index);
    const bool ok = latency <= t.budget_ms;
    const double accuracy = acc[static_cast<std::size_t>(index)];
    all_acc.push_back(accuracy);
    if (ok) feasible_acc.push_back(accuracy);
    else ++violations;
    md += fmt::format("| {} | {:g} | {:g} | {:.2f} | {} | {:.2f} |\n", t.device, t.budget_ms, a.reported_latency_ms,
                      latency, ok ? "yes" : "**no**", accuracy);
  }
  md += fmt::format("\n{} of {} HELP answers exceed their budget on the benchmark tables; mean CIFAR-100 accuracy "
                    "{:.2f} over all {} answers, {:.2f} over the {} feasible ones.\n",
                    violations, all_acc.size(), all_acc.empty() ? 0.0 : Mean(all_acc), all_acc.size(),
                    feasible_acc.empty() ? 0.0 : Mean(feasible_acc), feasible_acc.size());
  return md;
}

}  // namespace

BenchOutcome RunBenchRequest(Workspace& ws, Cluster& cluster, const BenchRequest& request) {
  const fs::path config_path = request.config.empty() ? ws.Env().configs_dir / "bench-full.json" : request.config;
  // Every rank runs the same configuration on the same proxy tables, or none starts.
  RequireSameFile(cluster, "the benchmark configuration", config_path);
  const BenchConfig config = LoadBenchConfig(config_path, request.space);
  const fs::path proxy_dir = request.proxy_dir.empty() ? ws.Env().proxy_tables_dir : request.proxy_dir;
  for (Dataset d : kAllDatasets) RequireSameFile(cluster, "the proxy table", ProxyTableFile(proxy_dir, d));

  BenchSpaces spaces;
  spaces.data = [&ws](const Space& space) -> const SpaceData& { return ws.DataOf(space); };
  spaces.devices = [&ws](const Space& space) { return ws.Devices(space); };
  spaces.strategies = [&ws](const Space& space) { return ws.Strategies(space); };
  spaces.scores = [&ws, &request](const Space& space, Dataset dataset, const std::string& source) {
    return ws.ScoresOf(space, dataset, source, ProxyTableIn(request.proxy_dir, space, dataset));
  };
  spaces.held_out_controller = [&ws](const Space& space, const std::string& device, std::int64_t steps,
                                     const ScoreTable& scores, const fs::path& dir) -> std::unique_ptr<Strategy> {
    // The leave-one-out controllers are the edit-walk controller's, trained on the default space.
    if (space.name() != Nb201Space().name()) {
      throw ParseError(fmt::format("bench: \"controller_loo_steps\" trains the {} space's controller; a group of "
                                   "space {} cannot use it",
                                   Nb201Space().name(), space.name()));
    }
    const StrategyResources resources = ws.Strategies(space);
    // The committed default's settings, minus the held-out device.
    const ControllerModel base = LoadControllerModel(resources.controller_model);
    const fs::path model = TrainLeaveOutController(ws.DataOf(space), scores, {device}, SettingsOfModel(base, steps), dir).model;
    auto walk = std::make_unique<ControllerStrategy>(model, resources.unconstrained_controller_model);
    walk->set_name("controller");
    return walk;
  };
  BenchOptions options;
  options.out_dir = request.out;
  options.score_source = request.aggregate;
  BenchRunner runner(config, spaces, &ws.Store(), options);
  if (!request.report_only) runner.Run(cluster);
  BenchOutcome outcome;
  // Rank 0 owns runs.jsonl and the report.
  if (!cluster.leader()) return outcome;

  ReportInputs inputs;
  // Paths under the working directory are shown relative to it (a report written in a
  // checkout names the checkout's files as the reader sees them).
  const auto shown = [](const fs::path& p) {
    std::error_code ec;
    const fs::path rel = fs::relative(p, fs::current_path(), ec);
    return (ec || rel.empty() || *rel.begin() == "..") ? p.string() : rel.string();
  };
  inputs.command = request.command;
  const ProcessResult rev = RunProcess({"git", "rev-parse", "--short", "HEAD"}, 10);
  if (rev.started && rev.exit_code == 0) inputs.revision = std::string(Trim(rev.out));
  inputs.config = config;
  inputs.rows = runner.LoadRows();
  inputs.ground_truth_sources = runner.ground_truth_sources();
  const ProxyAggregate aggregate = ParseProxyAggregateOrDefault(request.aggregate, ws.Env().configs_dir);
  const std::string recipe =
      aggregate == ProxyAggregate::kFreeRea ? "FreeREA (min-max sum) aggregate of NASWOT, LogSynflow and SkipScore"
      : aggregate == ProxyAggregate::kRank  ? "rank-sum aggregate of NASWOT, LogSynflow and SkipScore"
                                            : fmt::format("`{}` aggregate ({} of {})", aggregate.name,
                                                          CombinationName(aggregate.combination),
                                                          fmt::join(aggregate.proxies, ", "));
  inputs.score_description = fmt::format("{}, from `{}`", recipe, shown(proxy_dir));
  inputs.data = spaces.data;
  inputs.scores = spaces.scores;
  inputs.score_source = request.aggregate;
  inputs.published_answers = HelpPublishedSection;
  outcome.report = request.report.empty() ? request.out / "report.md" : request.report;
  outcome.winner = WriteBenchReport(inputs, outcome.report, request.out.string());
  const std::vector<RunRecord> planned = RowsOfPlan(inputs.rows, PlanRuns(config, spaces.data), &outcome.stale);
  outcome.runs = static_cast<int>(planned.size());
  outcome.failures = runner.unit_failures();
  for (const RunRecord& row : planned) {
    if (!row.error) continue;
    if (++outcome.failed_runs == 1) outcome.failures.push_back(fmt::format("run {}: {}", row.key, *row.error));
  }
  return outcome;
}

}  // namespace simnas
