// simnas bench: the few-probe HW-NAS benchmark, every strategy on held-out devices, and its
// report (Markdown + figures). Resumable: finished runs are kept in <out>/runs.jsonl.
#include <filesystem>

#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/space/registry.h"
#include "simnas/workspace/bench.h"

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
  cmd->add_option("--config", args->config, "Benchmark configuration JSON (default: the shipped configs/bench-full.json); its groups without \"space\" are of --space");
  cmd->add_option("--out", args->out, "Output folder: runs.jsonl, figures, summary.csv")->required();
  cmd->add_option("--report", args->report, "Markdown report path (default: <out>/report.md)");
  cmd->add_option("--proxy-dir", args->proxy_dir, "Folder of proxy tables (default: the shipped tables/proxies)");
  cmd->add_option("--aggregate", args->aggregate,
                    "Proxy aggregate: a recipe of configs/aggregates.json (default: its \"_default\")");
  cmd->add_flag("--report-only", args->report_only, "Only (re)write the report from the runs already done");
  cmd->callback([args, &ctx] {
    namespace fs = std::filesystem;
    BenchRequest request;
    request.config = args->config;
    request.out = args->out;
    request.report = args->report;
    request.proxy_dir = args->proxy_dir;
    request.aggregate = args->aggregate;
    request.report_only = args->report_only;
    request.space = &ctx.space();
    // The command as the report names it (paths under the working directory shown relative).
    const fs::path config_path = args->config.empty() ? ctx.Env().configs_dir / "bench-full.json" : fs::path(args->config);
    std::error_code ec;
    const fs::path rel = fs::relative(config_path, fs::current_path(), ec);
    request.command = (ctx.space().name() == kDefaultSpaceName
                           ? std::string("simnas")
                           : fmt::format("simnas --space {}", ctx.space().name())) +
                      " bench --config " +
                      ((ec || rel.empty() || *rel.begin() == "..") ? config_path.string() : rel.string()) + " --out " +
                      args->out;
    if (!args->report.empty()) request.command += " --report " + args->report;
    if (!args->aggregate.empty()) request.command += " --aggregate " + args->aggregate;
    const BenchOutcome outcome = RunBenchRequest(ctx.Ws(), *ctx.cluster, request);
    if (!ctx.cluster->leader()) return;
    fmt::print(stderr, "wrote {} ({} runs{}){}\n", outcome.report.string(), outcome.runs,
               outcome.stale > 0 ? fmt::format(", {} stale rows left out", outcome.stale) : std::string(),
               outcome.winner.empty() ? "" : "; leave-one-device-out winner: " + outcome.winner);
    // A benchmark whose devices failed is not a success, even with its report written.
    if (!outcome.failures.empty()) {
      throw Error(fmt::format("bench: {} failed run(s) and {} device(s) without a reference sample (first: {}); the "
                              "report marks the failed runs, runs.jsonl holds every error; run the same command "
                              "again to retry them",
                              outcome.failed_runs, outcome.failures.size() - (outcome.failed_runs > 0 ? 1 : 0),
                              outcome.failures.front()));
    }
  });
}

}  // namespace simnas::cli
