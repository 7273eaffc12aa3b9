// simnas proxies: the training-free proxies (NASWOT, LogSynflow, SkipScore) of one cell, of
// every cell into a proxy table (resumable, shardable, spread over MPI ranks under mpirun),
// merging shards, and a report of how well the proxies rank cells (Kendall tau with NATS-Bench
// test accuracy). Flags and printing only: the work is in proxies/proxy_table_builder.h and
// proxies/proxy_report.h.
#include <cmath>

#include <fmt/format.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxy_table_builder.h"

namespace simnas::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
  CellArgs cell;
  bool all = false;
  std::vector<std::string> merge;
  bool report = false;
  std::string dataset = "cifar10";
  bool dataset_given = false;
  std::uint64_t seed = 0;
  int inits = 1;
  int batches = 1;
  int threads = 0;
  std::optional<std::string> shard;
  std::optional<std::string> out;
  std::optional<std::string> table;
  std::optional<std::string> reuse_naswot;
  double save_every = 30;
  bool reference = false;
  bool json = false;
};

ProxyOptions MakeOptions(const Args& a, Dataset dataset) {
  ProxyOptions o;
  o.dataset = dataset;
  o.seed = a.seed;
  o.inits = a.inits;
  o.batches = a.batches;
  o.threads = a.threads;
  o.reference_implementation = a.reference;
  return o;
}

void RunOne(const Args& a, CliContext& ctx) {
  const Dataset dataset = ParseDataset(a.dataset);
  const SearchSpace& space = ctx.Data().space();
  const Cell cell = ResolveCell(a.cell, space, "proxies");
  const ProxyOptions options = MakeOptions(a, dataset);
  const ProxyValues v = ComputeProxies(cell, ctx.Data().dir().CifarSampleFile(), options);
  const fs::path table_path = a.table ? fs::path(*a.table) : ProxyTableFile(ctx.Env().proxy_tables_dir, dataset);
  nlohmann::json aggregates = nullptr;
  if (fs::exists(table_path)) {
    const ProxyCellAggregates ag = AggregatesAgainst(LoadProxyTable(table_path, dataset), v);
    aggregates = {{"freerea", ag.freerea}, {"rank", ag.rank}};
  }
  if (a.json) {
    nlohmann::json j = {{"arch", cell.ToString()},
                        {"index", space.IndexOf(cell)},
                        {"dataset", std::string(DatasetName(dataset))},
                        {"seed", a.seed},
                        {"inits", a.inits},
                        {"batches", a.batches},
                        {"naswot", std::isfinite(v.naswot) ? nlohmann::json(v.naswot) : nlohmann::json(nullptr)},
                        {"naswot_singular", !std::isfinite(v.naswot)},
                        {"logsynflow", v.logsynflow},
                        {"skip", v.skip},
                        {"aggregate", aggregates},
                        {"aggregate_table", aggregates.is_null() ? "" : table_path.string()}};
    PrintJson(j);
    return;
  }
  fmt::print("arch        {}\nindex       {}\ndataset     {} (seed {}, {} init(s) x {} batch(es))\n", cell.ToString(),
             space.IndexOf(cell), DatasetName(dataset), a.seed, a.inits, a.batches);
  fmt::print("naswot      {}\nlogsynflow  {:.10g}\nskip        {:.10g}\n",
             std::isfinite(v.naswot) ? fmt::format("{:.10g}", v.naswot) : "-inf (singular kernel)", v.logsynflow,
             v.skip);
  if (aggregates.is_null()) {
    fmt::print("aggregate   (no table at {} to normalize against)\n", table_path.string());
  } else {
    fmt::print("freerea     {:.6f}   (min-max normalized sum, over {})\nrank        {:.6f}   (normalized rank sum)\n",
               aggregates["freerea"].get<double>(), table_path.string(), aggregates["rank"].get<double>());
  }
}

void RunAll(const Args& a, CliContext& ctx) {
  ProxyTableJob job;
  job.dataset = ParseDataset(a.dataset);
  job.shard = a.shard ? ParseProxyShard(*a.shard) : ProxyShard{};
  job.options = MakeOptions(a, job.dataset);
  if (a.out) job.out = fs::path(*a.out);
  job.tables_dir = ctx.Env().proxy_tables_dir;
  if (a.reuse_naswot) job.reuse_naswot = fs::path(*a.reuse_naswot);
  job.save_every = a.save_every;
  const ProxyTableBuild b =
      BuildProxyTable(job, ctx.Data().dir().CifarSampleFile(), ctx.Data().space(), *ctx.cluster);
  if (!ctx.cluster->leader()) return;
  std::string ranks;
  if (b.ranks > 1) {
    ranks = fmt::format(" on {} ranks; per rank cells/compute s:", b.ranks);
    for (std::size_t r = 0; r < b.rank_cells.size(); ++r) {
      ranks += fmt::format(" {}/{:.1f}", b.rank_cells[r], b.rank_seconds[r]);
    }
  }
  fmt::print(stderr, "wrote {} ({} cells, {} computed now, {} resumed{}{})\n", b.out.string(), b.cells, b.computed,
             b.resumed, ranks,
             job.shard.whole() ? "" : fmt::format("; shard {}/{}, merge the shards with simnas proxies --merge",
                                                  job.shard.k, job.shard.n));
}

void RunMerge(const Args& a) {
  if (!a.out) throw ParseError("simnas proxies --merge needs --out FILE");
  std::vector<fs::path> files(a.merge.begin(), a.merge.end());
  SaveProxyTable(*a.out, MergeProxyTables(files));
  fmt::print(stderr, "wrote {} ({} cells from {} files)\n", *a.out, kNumCells, a.merge.size());
}

void RunReport(const Args& a, CliContext& ctx) {
  std::vector<std::pair<Dataset, fs::path>> tables;
  if (a.table) {
    tables.emplace_back(ParseDataset(a.dataset), *a.table);
  } else {
    for (Dataset d : kAllDatasets) {
      if (a.dataset_given && d != ParseDataset(a.dataset)) continue;
      if (fs::exists(ProxyTableFile(ctx.Env().proxy_tables_dir, d))) tables.emplace_back(d, ProxyTableFile(ctx.Env().proxy_tables_dir, d));
    }
  }
  if (tables.empty()) throw DataError("no proxy table to report on (generate one with simnas proxies --all)");
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [dataset, path] : tables) {
    const ProxyTable table = LoadProxyTable(path, dataset);
    const std::vector<double>& accuracy = ctx.Data().Accuracy(dataset).test_accuracy;
    const ProxyCorrelations c = CorrelateWithAccuracy(table, accuracy);
    nlohmann::json row = {{"dataset", std::string(DatasetName(dataset))}, {"table", path.string()}};
    for (const auto& [name, tau] : c.kendall_tau) row["kendall_tau"][name] = tau;
    for (const auto& [name, rho] : c.spearman) row["spearman"][name] = rho;
    row["naswot_singular_cells"] = c.naswot_singular_cells;
    rows.push_back(row);
  }
  if (a.json) {
    PrintJson(rows);
    return;
  }
  fmt::print("Rank correlation with NATS-Bench test accuracy over all {} cells\n", kNumCells);
  fmt::print("{:<16} {:<8} {:>8} {:>11} {:>8} {:>9} {:>8}\n", "dataset", "measure", "naswot", "logsynflow", "skip",
             "p_freerea", "rank");
  for (const auto& row : rows) {
    for (const char* measure : {"kendall_tau", "spearman"}) {
      const auto& m = row[measure];
      fmt::print("{:<16} {:<8} {:>8.4f} {:>11.4f} {:>8.4f} {:>9.4f} {:>8.4f}\n", row["dataset"].get<std::string>(),
                 std::string(measure) == "kendall_tau" ? "tau" : "rho", m["naswot"].get<double>(),
                 m["logsynflow"].get<double>(), m["skip"].get<double>(), m["freerea"].get<double>(),
                 m["rank"].get<double>());
    }
  }
}

}  // namespace

void AddProxiesCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "proxies", "Training-free proxies (NASWOT, LogSynflow, SkipScore) of one cell, of all cells into a table, "
                 "merge shards, or report their rank correlation with accuracy");
  auto args = std::make_shared<Args>();
  AddCellOptions(cmd, args->cell, "Score one architecture string", "Score one NATS-Bench index");
  CLI::Option* arch_opt = args->cell.arch_option;
  CLI::Option* index_opt = args->cell.index_option->check(CLI::Range(0, kNumCells - 1));
  auto* all_opt = cmd->add_flag("--all", args->all, "Score every cell into a table (resumable; see --shard, --out)");
  auto* merge_opt = cmd->add_option("--merge", args->merge, "Merge shard tables FILE... into --out");
  auto* report_opt =
      cmd->add_flag("--report", args->report, "Kendall tau / Spearman of each proxy and aggregate with test accuracy");
  for (CLI::Option* o : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
    for (CLI::Option* other : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
      if (o != other) o->excludes(other);
    }
  }
  AddDatasetOption(cmd, args->dataset, "cifar10, cifar100 or ImageNet16-120 (default cifar10)")
      ->each([args](const std::string&) { args->dataset_given = true; });
  AddSeedOption(cmd, args->seed, "Seed of the network initializations (default 0)");
  cmd->add_option("--inits", args->inits, "Initializations averaged (default 1)")->check(CLI::Range(1, 100));
  cmd->add_option("--batches", args->batches, "Batches of 64 images averaged for NASWOT (default 1, at most 10)")
      ->check(CLI::Range(1, 10));
  cmd->add_option("--threads", args->threads, "Intra-op threads (default: all cores)")->check(CLI::Range(0, 256));
  cmd->add_option("--shard", args->shard, "With --all: compute only shard k of n (indices i with i % n == k-1)")
      ->needs(all_opt);
  cmd->add_option("--out", args->out,
                  "Table to write (--all: default tables/proxies/<dataset>.csv, with .shard-k-of-n for a shard)");
  cmd->add_option("--table", args->table, "Table for --report, or to normalize one cell's aggregate against");
  cmd->add_option("--save-every", args->save_every, "With --all: seconds between saves of partial results (default 30)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reuse-naswot", args->reuse_naswot,
                  "With --all: take NASWOT from this table of another dataset with the same input size and options "
                  "(cifar10 <-> cifar100; NASWOT does not read the classifier), compute the rest")
      ->needs(all_opt);
  cmd->add_flag("--reference", args->reference, "Use the straightforward (slow) implementation, for checking");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    if (args->all) return RunAll(*args, ctx);
    if (!args->merge.empty()) return RunMerge(*args);
    if (args->report) return RunReport(*args, ctx);
    if (args->cell.given()) return RunOne(*args, ctx);
    throw ParseError("simnas proxies needs one of --arch STR, --index N, --all, --merge FILE..., --report");
  });
}

}  // namespace simnas::cli
