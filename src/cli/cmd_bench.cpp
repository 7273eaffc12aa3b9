// simnas bench: the few-probe HW-NAS benchmark, every strategy on held-out devices, and its
// report (Markdown + figures). Resumable: finished runs are kept in <out>/runs.jsonl.
#include <algorithm>

#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/bench/bench_report.h"
#include "simnas/bench/bench_runner.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"

namespace simnas::cli {

void AddBenchCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("bench", "Run the few-probe HW-NAS benchmark and write its report");
  struct Args {
    std::string config;
    std::string out;
    std::string report;
    std::string proxy_dir;
    std::string aggregate;  // empty: the default recipe
    bool report_only = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--config", args->config, "Benchmark configuration JSON (default: the shipped configs/bench-full.json)");
  cmd->add_option("--out", args->out, "Output folder: runs.jsonl, figures, summary.csv")->required();
  cmd->add_option("--report", args->report, "Markdown report path (default: <out>/report.md)");
  cmd->add_option("--proxy-dir", args->proxy_dir, "Folder of proxy tables (default: the shipped tables/proxies)");
  cmd->add_option("--aggregate", args->aggregate,
                    "Proxy aggregate: a recipe of configs/aggregates.json (default: its \"_default\")");
  cmd->add_flag("--report-only", args->report_only, "Only (re)write the report from the runs already done");
  cmd->callback([args, &ctx] {
    namespace fs = std::filesystem;
    const fs::path config_path = args->config.empty() ? ctx.Env().configs_dir / "bench-full.json" : fs::path(args->config);
    // Every rank runs the same configuration on the same proxy tables, or none starts.
    RequireSameFile(*ctx.cluster, "the benchmark configuration", config_path);
    const BenchConfig config = LoadBenchConfig(config_path);
    BenchOptions options;
    options.out_dir = args->out;
    options.aggregate = ParseProxyAggregateOrDefault(args->aggregate, ctx.Env().configs_dir);
    options.proxy_dir = args->proxy_dir.empty() ? ctx.Env().proxy_tables_dir : fs::path(args->proxy_dir);
    options.configs_dir = ctx.Env().configs_dir;
    options.strategies = ctx.Strategies();
    for (Dataset d : kAllDatasets) RequireSameFile(*ctx.cluster, "the proxy table", ProxyTableFile(options.proxy_dir, d));
    DeviceEnvironment devices = ctx.Devices();
    // FBNet groups open HELP's FBNet tables whatever --space says (bench/fbnet_bench.h).
    if (std::any_of(config.groups.begin(), config.groups.end(), [](const BenchGroup& g) { return IsFbnetGroup(g); })) {
      devices.fbnet = &ctx.Fbnet();
    }
    BenchRunner runner(config, ctx.Data(), devices, ctx.Store(), options);
    if (!args->report_only) runner.Run(*ctx.cluster);
    // Rank 0 owns runs.jsonl and the report.
    if (!ctx.cluster->leader()) return;

    ReportInputs inputs;
    // Paths under the working directory are shown relative to it (a report written in a
    // checkout names the checkout's files as the reader sees them).
    const auto shown = [](const fs::path& p) {
      std::error_code ec;
      const fs::path rel = fs::relative(p, fs::current_path(), ec);
      return (ec || rel.empty() || *rel.begin() == "..") ? p.string() : rel.string();
    };
    std::string command = "simnas bench --config " + shown(config_path) + " --out " + args->out;
    if (!args->report.empty()) command += " --report " + args->report;
    if (!args->aggregate.empty()) command += " --aggregate " + args->aggregate;
    inputs.command = command;
    const ProcessResult rev = RunProcess({"git", "rev-parse", "--short", "HEAD"}, 10);
    if (rev.started && rev.exit_code == 0) inputs.revision = std::string(Trim(rev.out));
    inputs.config = config;
    inputs.rows = runner.LoadRows();
    inputs.ground_truth_sources = runner.ground_truth_sources();
    inputs.aggregate = options.aggregate;
    inputs.proxy_dir = shown(options.proxy_dir);
    const std::filesystem::path report =
        args->report.empty() ? std::filesystem::path(args->out) / "report.md" : std::filesystem::path(args->report);
    const std::string winner = WriteBenchReport(inputs, ctx.Data(), report, args->out);
    int stale = 0;
    const std::size_t current = RowsOfPlan(inputs.rows, PlanRuns(config, ctx.Data()), &stale).size();
    fmt::print(stderr, "wrote {} ({} runs{}){}\n", report.string(), current,
               stale > 0 ? fmt::format(", {} stale rows left out", stale) : std::string(),
               winner.empty() ? "" : "; leave-one-device-out winner: " + winner);
    // A benchmark whose devices failed is not a success, even with its report written.
    std::vector<std::string> failures = runner.unit_failures();
    int failed_runs = 0;
    for (const RunRecord& row : RowsOfPlan(inputs.rows, PlanRuns(config, ctx.Data()))) {
      if (!row.error) continue;
      if (++failed_runs == 1) failures.push_back(fmt::format("run {}: {}", row.key, *row.error));
    }
    if (!failures.empty()) {
      throw Error(fmt::format("bench: {} failed run(s) and {} device(s) without a reference sample (first: {}); the "
                              "report marks the failed runs, runs.jsonl holds every error; run the same command "
                              "again to retry them",
                              failed_runs, runner.unit_failures().size(), failures.front()));
    }
  });
}

}  // namespace simnas::cli
