// simnas search: find an architecture for a device within a probe budget; every latency in
// the answer was measured on the device.
#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/space/space.h"
#include "simnas/strategies/registry.h"
#include "simnas/workspace/search.h"

namespace simnas::cli {
namespace {

// A probe's latency column: "  1.234 ms", or "   FAILED   " for a probe the device refused.
std::string ProbeLatencyText(const ProbeRecord& r) {
  return r.failed() ? fmt::format("{:>12}", "FAILED") : fmt::format("{:>9.3f} ms", r.measurement.latency_ms);
}

// One progress line on stderr per probe, as it is measured: the architecture, its latency and
// 95% interval (or why it failed), and how long it took.
void PrintProgressLine(const ProbeRecord& r, int used, int budget, double seconds) {
  const Measurement& m = r.measurement;
  std::string what;
  if (r.failed() && r.replayed) {
    what = fmt::format("FAILED (replayed from the probe store, not measured again): {}", r.failure);
  } else if (r.failed()) {
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
}

// The failed probes with their reasons, and why the search stopped early (if it did).
void PrintFailures(const SearchOutcome& out) {
  for (const ProbeRecord& r : out.probes) {
    if (r.failed()) fmt::print("  failed probe {}: {}\n", r.arch.ToString(), r.failure);
  }
  if (!out.stopped_reason.empty()) fmt::print("  stopped before the probe budget: {}\n", out.stopped_reason);
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A search among a sample of the space: what the candidates are, the score by name.
void PrintSample(const SearchOutcome& out) {
  const std::string_view noun = out.space->arch_noun();
  fmt::print("candidates: {}; strategy {}, objective {}, proxy device {}\n", out.candidates, out.strategy,
             out.score_name, out.proxy_device);
  for (std::size_t i = 0; i < out.probes.size(); ++i) {
    const ProbeRecord& r = out.probes[i];
    fmt::print("  probe {}  {} {:>12.6g}  {}{}\n", ProbeLatencyText(r), out.score_name, out.scores[i],
               r.arch.ToString(), r.replayed ? "  (replayed)" : "");
  }
  PrintFailures(out);
  if (!out.found) {
    fmt::print("no {} was probed\n", noun);
    return;
  }
  const ProbeRecord& c = out.answer;
  fmt::print("{} {}\n  index {}, measured {:.3f} ms (budget {:.3f} ms), {} {:.6g}, {} probes, {:.1f} s\n",
             out.feasible ? "answer" : fmt::format("NO FEASIBLE {}; fastest probed:", Upper(noun)), c.arch.ToString(),
             c.index < 0 ? std::string("none") : std::to_string(out.report.value("index", c.index)),
             c.measurement.latency_ms,
             out.budget_ms.value_or(0), out.score_name, out.answer_score, out.probes_used, out.wall_seconds);
  if (!out.no_accuracy.empty()) fmt::print("  {}\n", out.no_accuracy);
}

// A search over the whole space.
void PrintWhole(const SearchOutcome& out) {
  const std::string_view noun = out.space->arch_noun();
  for (std::size_t i = 0; i < out.probes.size(); ++i) {
    const ProbeRecord& r = out.probes[i];
    fmt::print("  probe {}  proxy {:>7.4f}  {}{}\n", ProbeLatencyText(r), out.scores[i], r.arch.ToString(),
               r.replayed ? "  (replayed)" : "");
  }
  PrintFailures(out);
  if (!out.found) {
    fmt::print("no {} was probed\n", noun);
    return;
  }
  const ProbeRecord& c = out.answer;
  fmt::print("{} {}\n  index {}, measured {:.3f} ms{}, proxy {:.4f}, {} probes, {:.1f} s\n",
             out.feasible ? "answer" : fmt::format("NO FEASIBLE {}; fastest probed:", Upper(noun)), c.arch.ToString(),
             out.report.value("index", c.index),
             c.measurement.latency_ms, out.budget_ms ? fmt::format(" (budget {:.3f} ms)", *out.budget_ms) : "",
             out.answer_score, out.probes_used, out.wall_seconds);
  const nlohmann::json& j = out.report;
  if (j.contains("accuracy") && !j["accuracy"].empty()) {
    fmt::print("  measured test accuracy (evaluation only):");
    for (const auto& [k, v] : j["accuracy"].items()) fmt::print(" {} {:.2f}", k, v.get<double>());
    fmt::print("\n");
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
    std::optional<std::string> dataset;
    std::uint64_t seed = 0;
    std::string run_id;
    ProxyArgs proxy;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--device", args->device,
                  std::string("Device spec: ") + kDeviceKindsHelp + " (default: local, this machine's CPU)");
  std::vector<std::string> defaults;
  for (const Space* space : Spaces()) defaults.push_back(fmt::format("{} {}", space->name(), space->DefaultStrategy()));
  cmd->add_option("--strategy", args->strategy,
                  fmt::format("Search strategy: {} (default: the space's: {})", fmt::join(StrategyNames(), ", "),
                              fmt::join(defaults, ", ")));
  // Checked as a latency (main.cpp, for every command's --budget-ms).
  cmd->add_option("--budget-ms", args->budget_ms, "Latency budget in ms (without one: the unconstrained reward)");
  cmd->add_option("--probes", args->probes, "Probe budget: distinct architectures measured on the device (default 10)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--dataset", args->dataset,
                  "cifar10, cifar100 or ImageNet16-120 (proxy table and report; default cifar100, or the "
                  "space's own dataset when its networks are not built for cifar100)");
  cmd->add_option("--seed", args->seed, "Seed");
  cmd->add_option("--run-id", args->run_id, "Run id: rerun with the same id to resume (default: a new one)");
  AddProxyOptions(cmd, args->proxy, "Proxy table CSV (default: the shipped table of --space and --dataset)",
                  "Proxy aggregate: a recipe of configs/aggregates.json (default: its \"_default\"; freerea = paper, rank, ...)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    SearchRequest request;
    request.space = &ctx.space();
    request.strategy = args->strategy;
    request.budget_ms = args->budget_ms;
    request.probes = args->probes;
    const std::vector<Dataset> datasets = ctx.space().Datasets();
    request.dataset = args->dataset ? ParseDataset(*args->dataset)
                      : std::find(datasets.begin(), datasets.end(), Dataset::kCifar100) != datasets.end()
                          ? Dataset::kCifar100
                          : datasets.front();
    request.seed = args->seed;
    request.run_id = args->run_id.empty() ? NewRunId() : args->run_id;
    request.proxy_table = args->proxy.proxy_table;
    request.aggregate = args->proxy.aggregate;
    // A live device's search prints a progress line per probe (not with --json).
    auto live = std::make_shared<bool>(false);
    if (!args->json) {
      request.on_probe = [live](const ProbeRecord& r, int used, int budget, double seconds) {
        if (*live) PrintProgressLine(r, used, budget, seconds);
      };
    }
    // Printed once the run id is locked and the store checked: a refused search says one line.
    const auto announce = [&](const SearchOutcome& starting) {
      *live = starting.live;
      if (!args->json) {
        fmt::print(stderr, "searching on {} with strategy {} ({} probes, run id {})\n", starting.device,
                   starting.strategy, args->probes, starting.run_id);
      }
    };
    SearchOutcome out;
    try {
      out = RunSearchRequest(ctx.Ws(), request, args->device, announce);
    } catch (const Interrupted&) {
      throw Interrupted(fmt::format("search interrupted; its probes so far are saved: run it again with --run-id {} "
                                    "to resume without measuring them twice",
                                    request.run_id));
    }
    if (out.no_accuracy.empty() && out.report.contains("accuracy_unavailable")) {
      for (const auto& [dataset, why] : out.report["accuracy_unavailable"].items()) {
        spdlog::warn("{} accuracy not reported: {}", dataset, why.get<std::string>());
      }
    }
    if (args->json) {
      PrintJson(out.report);
    } else if (!out.candidates.empty()) {
      PrintSample(out);
    } else {
      PrintWhole(out);
    }
    if (!out.feasible) {
      throw Error(fmt::format("no probed {} meets the budget of {:.3f} ms on {} (fastest probed: {:.3f} ms)",
                              out.space->arch_noun(), out.budget_ms.value_or(0), out.device,
                              out.found ? out.answer.measurement.latency_ms : 0.0));
    }
  });
}

}  // namespace simnas::cli
