#include "simnas/workspace/bench.h"

#include <algorithm>

#include <fmt/format.h>

#include "simnas/bench/bench_report.h"
#include "simnas/bench/bench_runner.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {

BenchOutcome RunBenchRequest(Workspace& ws, Cluster& cluster, const BenchRequest& request) {
  namespace fs = std::filesystem;
  const fs::path config_path = request.config.empty() ? ws.Env().configs_dir / "bench-full.json" : request.config;
  // Every rank runs the same configuration on the same proxy tables, or none starts.
  RequireSameFile(cluster, "the benchmark configuration", config_path);
  const BenchConfig config = LoadBenchConfig(config_path);
  BenchOptions options;
  options.out_dir = request.out;
  options.aggregate = ParseProxyAggregateOrDefault(request.aggregate, ws.Env().configs_dir);
  options.proxy_dir = request.proxy_dir.empty() ? ws.Env().proxy_tables_dir : request.proxy_dir;
  options.configs_dir = ws.Env().configs_dir;
  options.strategies = ws.Strategies(Nb201Space());
  options.fbnet_strategies = ws.Strategies(FbnetSpace());
  for (Dataset d : kAllDatasets) RequireSameFile(cluster, "the proxy table", ProxyTableFile(options.proxy_dir, d));
  // FBNet groups open HELP's FBNet tables (bench/fbnet_bench.h).
  options.fbnet_devices = ws.Devices(FbnetSpace());
  BenchRunner runner(config, ws.Data(), ws.Devices(Nb201Space()), ws.Store(), options);
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
  inputs.aggregate = options.aggregate;
  inputs.proxy_dir = shown(options.proxy_dir);
  outcome.report = request.report.empty() ? request.out / "report.md" : request.report;
  outcome.winner = WriteBenchReport(inputs, ws.Data(), outcome.report, request.out.string());
  const std::vector<RunRecord> planned = RowsOfPlan(inputs.rows, PlanRuns(config, ws.Data()), &outcome.stale);
  outcome.runs = static_cast<int>(planned.size());
  outcome.failures = runner.unit_failures();
  for (const RunRecord& row : planned) {
    if (!row.error) continue;
    if (++outcome.failed_runs == 1) outcome.failures.push_back(fmt::format("run {}: {}", row.key, *row.error));
  }
  return outcome;
}

}  // namespace simnas
