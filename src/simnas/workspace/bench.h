// Running a benchmark configuration as `simnas bench` and the Python module's simnas.bench() do:
// every group's runs (bench/bench_runner.h, resumable through <out>/runs.jsonl, spread over the
// ranks of an MPI job), then the Markdown report with its figures (bench/bench_report.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "simnas/parallel/cluster.h"
#include "simnas/workspace/workspace.h"

namespace simnas {

struct BenchRequest {
  std::filesystem::path config;     // empty: the shipped configs/bench-full.json
  std::filesystem::path out;        // runs.jsonl, figures, summary.csv
  std::filesystem::path report;     // empty: <out>/report.md
  std::filesystem::path proxy_dir;  // empty: the shipped tables/proxies
  std::string aggregate;            // proxy recipe of groups without "objective"; empty: each space's default
  const Space* space = nullptr;     // the space of groups without "space" (null: the default space)
  bool report_only = false;         // only (re)write the report from the runs already done
  std::string command;              // the command line the report names
};

struct BenchOutcome {
  std::filesystem::path report;  // written by rank 0 only (empty on the other ranks)
  int runs = 0;                  // runs of the current plan in the report
  int stale = 0;                 // rows of runs.jsonl left out (another plan's)
  std::string winner;            // the leave-one-device-out winner, when the plan has one
  int failed_runs = 0;           // runs of the plan whose device failed (the report marks them)
  std::vector<std::string> failures;  // one line per failed unit, then the first failed run
};

// Throws ParseError / DataError naming the config field or file, JobError when ranks disagree
// on the config or the proxy tables, Interrupted with the finished runs kept. Runs whose device
// failed are reported in `failures` (the caller decides whether that fails the command).
BenchOutcome RunBenchRequest(Workspace& workspace, Cluster& cluster, const BenchRequest& request);

}  // namespace simnas
