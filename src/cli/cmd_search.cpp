// simnas search: find an architecture for a device within a probe budget; every latency in
// the answer was measured on the device.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/strategies/fbnet_search.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"

namespace simnas::cli {
namespace {

// A probe's latency column: "  1.234 ms", or "   FAILED   " for a probe the device refused.
std::string ProbeLatencyText(const ProbeRecord& r) {
  return r.failed() ? fmt::format("{:>12}", "FAILED") : fmt::format("{:>9.3f} ms", r.measurement.latency_ms);
}

// One progress line on stderr per probe of a live device, as it is measured: the cell, its
// latency and 95% interval (or why it failed), and how long it took.
ProbeObserver ProgressLines(const Device& device, bool json) {
  if (json || !device.IsLive()) return {};
  return [](const ProbeRecord& r, int used, int budget, double seconds) {
    const Measurement& m = r.measurement;
    std::string what;
    if (r.failed()) {
      what = fmt::format("FAILED after {:.1f} s: {}", seconds, r.failure);
    } else if (r.replayed) {
      what = fmt::format("{:.3f} ms (replayed from the probe store)", m.latency_ms);
    } else if (m.has_interval()) {
      what = fmt::format("{:.3f} ms, 95% interval {:.3f}-{:.3f} ms (+-{:.1f}%), {} samples x {} passes, {:.1f} s",
                         m.latency_ms, m.ci_low_ms, m.ci_high_ms, 100 * m.RelativeHalfWidth(), m.samples, m.passes,
                         seconds);
    } else {
      what = fmt::format("{:.3f} ms, {:.1f} s", m.latency_ms, seconds);
    }
    fmt::print(stderr, "probe {}/{}: {}  {}\n", used, budget, what, r.arch.ToString());
  };
}

// The failed probes with their reasons, and why the search stopped early (if it did).
void PrintFailures(const std::vector<ProbeRecord>& trajectory, const std::string& stopped_reason) {
  for (const ProbeRecord& r : trajectory) {
    if (r.failed()) fmt::print("  failed probe {}: {}\n", r.arch.ToString(), r.failure);
  }
  if (!stopped_reason.empty()) fmt::print("  stopped before the probe budget: {}\n", stopped_reason);
}

// --space fbnet: an FBNet strategy over HELP's 5,000 networks (strategies/fbnet_search.h).
void SearchFbnet(CliContext& ctx, const std::string& device_spec, const std::string& strategy_name,
                 std::optional<double> budget_ms, int probes, const std::string& dataset, std::uint64_t seed,
                 const std::string& given_run_id, const ProxyArgs& proxy_args, bool json) {
  std::unique_ptr<FbnetStrategy> strategy =
      MakeFbnetStrategy(strategy_name, FbnetStrategyFiles{ctx.Strategies().fbnet_controller_model});
  if (!budget_ms) throw ParseError("search --space fbnet needs --budget-ms (FBNet has no unconstrained reward)");
  if (ParseDataset(dataset) != Dataset::kCifar100) {
    throw ParseError(fmt::format("--dataset {}: HELP's FBNet tables are CIFAR-100's", dataset));
  }
  FbnetTables& fbnet = ctx.Fbnet();
  std::unique_ptr<Device> device = ctx.OpenDevice(device_spec);
  FbnetSearchInputs inputs;
  inputs.candidates = &fbnet.Numbering();
  // --aggregate names the objective (a recipe over the FBNet proxy table, or macs); --proxy-table
  // replaces the shipped FBNet table.
  const FbnetObjective objective = ctx.FbnetObjectiveOf(proxy_args);
  inputs.objective = &objective;
  const LatencyTable* own = device->FullTable();
  for (const std::string& name : FbnetTables::TrainDevices()) {
    if (own != nullptr && own->name() == name) continue;  // leave the target out
    inputs.train_tables.push_back(&fbnet.Table(name));
  }
  const std::string run_id = given_run_id.empty() ? NewRunId() : given_run_id;
  const auto announce = [&] {
    if (!json) {
      fmt::print(stderr, "searching on {} with strategy {} ({} probes, run id {})\n", device->Spec(),
                 strategy->name(), probes, run_id);
    }
  };
  FbnetSearchReport report;
  try {
    report = RunFbnetSearch(*strategy, *device, inputs, *budget_ms, probes, seed,
                            device->IsLive() ? &ctx.Store() : nullptr, run_id, announce, ProgressLines(*device, json));
  } catch (const Interrupted&) {
    throw Interrupted(fmt::format("search interrupted; its probes so far are saved: run it again with --run-id {} "
                                  "to resume without measuring them twice",
                                  run_id));
  }
  const std::string candidates =
      own != nullptr
          ? fmt::format("the {} networks of HELP's FBNet tables ({} answers only these)", report.candidates,
                        device->Spec())
          : fmt::format("HELP's {} FBNet networks (the device could time any; this strategy probes only these)",
                        report.candidates);
  const std::string no_accuracy =
      fmt::format("no accuracy reported: FBNet has no accuracy table; the answer is the probed network with the best "
                  "objective ({}, a stand-in, not an accuracy) among those measured within the budget",
                  report.objective);
  const auto index_json = [](int index) { return index < 0 ? nlohmann::json() : nlohmann::json(index); };
  if (json) {
    nlohmann::json trajectory = nlohmann::json::array();
    for (std::size_t i = 0; i < report.trajectory.size(); ++i) {
      const ProbeRecord& r = report.trajectory[i];
      nlohmann::json probe = {{"arch", r.arch.ToString()}, {"index", index_json(r.index)}};
      if (r.failed()) {
        probe["latency_ms"] = nullptr;
        probe["failure"] = r.failure;
      } else {
        probe["latency_ms"] = r.measurement.latency_ms;
        probe["spread"] = r.measurement.spread;
        probe["interval_ms"] = IntervalJson(r.measurement);
      }
      probe["objective"] = report.trajectory_objective[i];
      probe["replayed"] = r.replayed;
      trajectory.push_back(std::move(probe));
    }
    nlohmann::json j = {{"space", "fbnet"},
                        {"strategy", report.strategy},
                        {"objective", report.objective},
                        {"device", report.device},
                        {"run_id", report.run_id},
                        {"dataset", "cifar100"},
                        {"budget_ms", report.budget_ms},
                        {"candidates", candidates},
                        {"proxy_device", report.proxy_device},
                        {"probe_budget", report.probe_budget},
                        {"probes_used", report.probes_used},
                        {"measured_now", report.measured_now},
                        {"failed_probes", report.failed_probes},
                        {"wall_seconds", report.wall_seconds},
                        {"trajectory", trajectory},
                        {"feasible", report.answer.feasible},
                        {"accuracy", nullptr},
                        {"accuracy_unavailable", no_accuracy}};
    if (!report.stopped_reason.empty()) j["stopped"] = report.stopped_reason;
    if (report.answer.found) {
      const ProbeRecord& c = report.answer.chosen;
      j["arch"] = c.arch.ToString();
      j["index"] = index_json(c.index);
      j["latency_ms"] = c.measurement.latency_ms;
      j["spread"] = c.measurement.spread;
      j["interval_ms"] = IntervalJson(c.measurement);
      j["objective_value"] = report.answer.objective;
    }
    PrintJson(j);
  } else {
    fmt::print("candidates: {}; strategy {}, objective {}, proxy device {}\n", candidates, report.strategy,
               report.objective, report.proxy_device);
    for (std::size_t i = 0; i < report.trajectory.size(); ++i) {
      const ProbeRecord& r = report.trajectory[i];
      fmt::print("  probe {}  {} {:>12.6g}  {}{}\n", ProbeLatencyText(r), report.objective,
                 report.trajectory_objective[i], r.arch.ToString(), r.replayed ? "  (replayed)" : "");
    }
    PrintFailures(report.trajectory, report.stopped_reason);
    if (!report.answer.found) {
      fmt::print("no network was probed\n");
    } else {
      const ProbeRecord& c = report.answer.chosen;
      fmt::print("{} {}\n  index {}, measured {:.3f} ms (budget {:.3f} ms), {} {:.6g}, {} probes, {:.1f} s\n",
                 report.answer.feasible ? "answer" : "NO FEASIBLE NETWORK; fastest probed:", c.arch.ToString(),
                 c.index < 0 ? std::string("none") : std::to_string(c.index), c.measurement.latency_ms,
                 report.budget_ms, report.objective, report.answer.objective, report.probes_used, report.wall_seconds);
      fmt::print("  {}\n", no_accuracy);
    }
  }
  if (!report.answer.feasible) {
    throw Error(fmt::format("no probed network meets the budget of {:.3f} ms on {} (fastest probed: {:.3f} ms)",
                            report.budget_ms, device->Spec(),
                            report.answer.found ? report.answer.chosen.measurement.latency_ms : 0.0));
  }
}

}  // namespace

void AddSearchCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("search", "Search an architecture for a device with a few real latency probes");
  struct Args {
    std::string device = "local";
    std::string strategy;
    std::optional<double> budget_ms;
    int probes = 10;
    std::string dataset = "cifar100";
    std::uint64_t seed = 0;
    std::string run_id;
    ProxyArgs proxy;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  AddDeviceOption(cmd, args->device,
                  std::string("Device spec: ") + kDeviceKindsHelp + " (default: local, this machine's CPU)");
  cmd->add_option("--strategy", args->strategy,
                  "Search strategy (default: " + DefaultStrategyName() + "; under --space fbnet: " +
                      fmt::format("{}, default {}", fmt::join(FbnetStrategyNames(), ", "), kFbnetDefaultStrategy) + ")");
  // Checked as a latency (main.cpp, for every command's --budget-ms).
  cmd->add_option("--budget-ms", args->budget_ms, "Latency budget in ms (without one: the unconstrained reward)");
  cmd->add_option("--probes", args->probes, "Probe budget: distinct cells measured on the device (default 10)")
      ->check(CLI::Range(1, 15625));
  AddDatasetOption(cmd, args->dataset,
                   "cifar10, cifar100 or ImageNet16-120 (proxy table and report; default cifar100)");
  AddSeedOption(cmd, args->seed, "Seed");
  cmd->add_option("--run-id", args->run_id, "Run id: rerun with the same id to resume (default: a new one)");
  AddProxyOptions(cmd, args->proxy, "Proxy table CSV (default: tables/proxies/<dataset>.csv)",
                  "Proxy aggregate: a recipe of configs/aggregates.json (default: its \"_default\"; freerea = paper, rank, ...)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    if (ctx.Space() == SpaceKind::kFbnet) {
      SearchFbnet(ctx, args->device, args->strategy, args->budget_ms, args->probes, args->dataset, args->seed,
                  args->run_id, args->proxy, args->json);
      return;
    }
    SearchTask task;
    task.dataset = ParseDataset(args->dataset);
    task.latency_budget_ms = args->budget_ms;
    task.seed = args->seed;
    const std::string strategy_name = args->strategy.empty() ? DefaultStrategyName() : args->strategy;
    std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name, ctx.Strategies());
    BenchmarkData& data = ctx.Data();
    const ProxyTable table = LoadProxyTable(ctx.ProxyTable(args->proxy.proxy_table, task.dataset), task.dataset);
    const ProxyScores proxy(table, ParseProxyAggregateOrDefault(args->proxy.aggregate, ctx.Env().configs_dir));
    std::unique_ptr<Device> device = ctx.OpenDevice(args->device);
    const std::string run_id = args->run_id.empty() ? NewRunId() : args->run_id;
    const SearchContext context = MakeSearchContext(data, proxy, *device);
    // Printed once the run id is locked and the store checked: a refused search says one line.
    const auto announce = [&] {
      if (!args->json) {
        fmt::print(stderr, "searching on {} with strategy {} ({} probes, run id {})\n", device->Spec(), strategy_name,
                   args->probes, run_id);
      }
    };
    SearchReport report;
    try {
      report = RunSearch(*strategy, *device, task, args->probes, context, device->IsLive() ? &ctx.Store() : nullptr,
                         run_id, announce, ProgressLines(*device, args->json));
    } catch (const Interrupted&) {
      throw Interrupted(fmt::format("search interrupted; its probes so far are saved: run it again with --run-id {} "
                                    "to resume without measuring them twice",
                                    run_id));
    }
    const nlohmann::json j = ReportToJson(report, &data);
    if (j.contains("accuracy_unavailable")) {
      for (const auto& [dataset, why] : j["accuracy_unavailable"].items()) {
        spdlog::warn("NATS-Bench {} accuracy not reported: {}", dataset, why.get<std::string>());
      }
    }
    if (args->json) {
      PrintJson(j);
    } else {
      for (const ProbeRecord& r : report.trajectory) {
        fmt::print("  probe {}  proxy {:>7.4f}  {}{}\n", ProbeLatencyText(r), proxy(r.index), r.arch.ToString(),
                   r.replayed ? "  (replayed)" : "");
      }
      PrintFailures(report.trajectory, report.stopped_reason);
      if (!report.answer.found) {
        fmt::print("no cell was probed\n");
      } else {
        const ProbeRecord& c = report.answer.chosen;
        fmt::print("{} {}\n  index {}, measured {:.3f} ms{}, proxy {:.4f}, {} probes, {:.1f} s\n",
                   report.answer.feasible ? "answer" : "NO FEASIBLE CELL; fastest probed:", c.arch.ToString(),
                   c.index, c.measurement.latency_ms,
                   task.latency_budget_ms ? fmt::format(" (budget {:.3f} ms)", *task.latency_budget_ms) : "",
                   report.answer.proxy, report.probes_used, report.wall_seconds);
        if (j.contains("accuracy") && !j["accuracy"].empty()) {
          fmt::print("  NATS-Bench test accuracy (evaluation only):");
          for (const auto& [k, v] : j["accuracy"].items()) fmt::print(" {} {:.2f}", k, v.get<double>());
          fmt::print("\n");
        }
      }
    }
    if (!report.answer.feasible) {
      throw Error(fmt::format("no probed cell meets the budget of {:.3f} ms on {} (fastest probed: {:.3f} ms)",
                              task.latency_budget_ms.value_or(0), device->Spec(),
                              report.answer.found ? report.answer.chosen.measurement.latency_ms : 0.0));
    }
  });
}

}  // namespace simnas::cli
