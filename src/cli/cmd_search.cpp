// simnas search: find an architecture for a device within a probe budget; every latency in
// the answer was measured on the device.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"

namespace simnas::cli {

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
  AddDeviceOption(cmd, args->device, "Device spec (default: local, this machine's CPU)");
  cmd->add_option("--strategy", args->strategy, "Search strategy (default: " + DefaultStrategyName() + ")");
  cmd->add_option("--budget-ms", args->budget_ms, "Latency budget in ms (without one: the unconstrained reward)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--probes", args->probes, "Probe budget: distinct cells measured on the device")
      ->check(CLI::Range(1, 15625));
  AddDatasetOption(cmd, args->dataset, "cifar10, cifar100 or ImageNet16-120 (proxy table and report)");
  AddSeedOption(cmd, args->seed, "Seed");
  cmd->add_option("--run-id", args->run_id, "Run id: rerun with the same id to resume (default: a new one)");
  AddProxyOptions(cmd, args->proxy, "Proxy table CSV (default: tables/proxies/<dataset>.csv)",
                  "Proxy aggregate: a recipe of configs/aggregates.json (freerea = paper, rank, ...)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    SearchTask task;
    task.dataset = ParseDataset(args->dataset);
    task.latency_budget_ms = args->budget_ms;
    task.seed = args->seed;
    const std::string strategy_name = args->strategy.empty() ? DefaultStrategyName() : args->strategy;
    std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name, ctx.Strategies());
    BenchmarkData& data = ctx.Data();
    const ProxyTable table = LoadProxyTable(ctx.ProxyTable(args->proxy.proxy_table, task.dataset), task.dataset);
    const ProxyScores proxy(table, ParseProxyAggregate(args->proxy.aggregate, ctx.Env().configs_dir));
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
                         run_id, announce);
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
        fmt::print("  probe {:>9.3f} ms  proxy {:>7.4f}  {}{}\n", r.measurement.latency_ms, proxy(r.index),
                   r.cell.ToString(), r.replayed ? "  (replayed)" : "");
      }
      if (!report.answer.found) {
        fmt::print("no cell was probed\n");
      } else {
        const ProbeRecord& c = report.answer.chosen;
        fmt::print("{} {}\n  index {}, measured {:.3f} ms{}, proxy {:.4f}, {} probes, {:.1f} s\n",
                   report.answer.feasible ? "answer" : "NO FEASIBLE CELL; fastest probed:", c.cell.ToString(),
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
