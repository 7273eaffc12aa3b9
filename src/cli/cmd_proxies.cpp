// simnas proxies: the training-free proxies (NASWOT, LogSynflow, SkipScore, and the zoo of zoo.h) of one cell, of
// every cell into a proxy table (resumable, shardable, spread over MPI ranks under mpirun),
// merging shards, and a report of how well the proxies rank cells (Kendall tau with NATS-Bench
// test accuracy). Flags and printing only: the work is in proxies/proxy_table_builder.h and
// proxies/proxy_report.h.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/bench/proxy_ceiling.h"
#include "simnas/core/interrupt.h"
#include "simnas/proxies/fbnet_proxies.h"
#include "simnas/proxies/fbnet_proxy_table.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxy_tradeoff.h"
#include "simnas/core/gnuplot.h"
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
  std::optional<std::string> costs;
  std::optional<std::string> plot;
  std::optional<std::string> reuse_naswot;
  std::optional<std::string> reuse_freerea;
  std::optional<std::string> reuse_features;
  bool no_zoo = false;
  double save_every = 30;
  std::int64_t zoo_rows = 0;  // --space fbnet --all: the zoo for rows [0, N) too
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
  ProxyOptions options = MakeOptions(a, dataset);
  options.zoo = true;
  const ProxyValues v = ComputeProxies(cell, ctx.Data().dir().CifarSampleFile(), options);
  const fs::path table_path =
      a.table ? fs::path(*a.table) : ProxyTableFile(ctx.Env().proxy_tables_dir, ctx.space(), dataset);
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
    for (const std::string_view name : kZooProxyNames) {
      const double x = (*v.zoo)[name];
      j[std::string(name)] = std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);  // null: -inf
    }
    PrintJson(j);
    return;
  }
  fmt::print("arch        {}\nindex       {}\ndataset     {} (seed {}, {} init(s) x {} batch(es))\n", cell.ToString(),
             space.IndexOf(cell), DatasetName(dataset), a.seed, a.inits, a.batches);
  fmt::print("naswot      {}\nlogsynflow  {:.10g}\nskip        {:.10g}\n",
             std::isfinite(v.naswot) ? fmt::format("{:.10g}", v.naswot) : "-inf (singular kernel)", v.logsynflow,
             v.skip);
  for (const std::string_view name : kZooProxyNames) {
    fmt::print("{:<17} {:.10g}\n", name, (*v.zoo)[name]);
  }
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
  if (a.reuse_freerea) job.reuse_freerea = fs::path(*a.reuse_freerea);
  if (a.reuse_features) job.reuse_features = fs::path(*a.reuse_features);
  job.options.zoo = !a.no_zoo;
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
  if (a.plot && !a.costs) throw ParseError("simnas proxies --report --plot needs --costs FILE (the cost axis)");
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
  const std::vector<ProxyAggregate> recipes = LoadProxyAggregates(ctx.Env().configs_dir);
  const std::vector<CeilingTaskSet> sets = ReportCeilingTaskSets(ctx.Data().space_data());
  const std::map<std::string, double> costs = a.costs ? LoadScoreCosts(*a.costs) : std::map<std::string, double>{};
  const auto cost_of = [&](const std::string& name) {
    const auto it = costs.find(name);
    return it == costs.end() ? std::nan("") : it->second;
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [dataset, path] : tables) {
    // A partial table (a sample, a shard) is judged on the cells it has.
    const ProxyTable table = LoadPartialProxyTable(path, dataset);
    const std::vector<double>& accuracy = ctx.Data().Accuracy(dataset).test_accuracy;
    nlohmann::json row = {{"dataset", std::string(DatasetName(dataset))}, {"table", path.string()}};
    row["order"] = nlohmann::json::array();
    for (const ReportedScore& s : ReportedScores(table, recipes)) {
      const RankAgreement r = AgreementWithAccuracy(s.score, accuracy);
      row["order"].push_back(s.name);
      row["aggregate"][s.name] = s.aggregate;
      row["cells"][s.name] = r.cells;
      row["kendall_tau"][s.name] = r.kendall_tau;
      row["spearman"][s.name] = r.spearman;
      for (const CeilingTaskSet& set : sets) row["ceiling"][s.name][set.name] = MeanCeiling(set, s.score, accuracy);
      const double cost = cost_of(s.name);
      row["cost_ms"][s.name] = std::isfinite(cost) ? nlohmann::json(cost) : nlohmann::json(nullptr);
    }
    for (const CeilingTaskSet& set : sets) row["oracle"][set.name] = MeanCeiling(set, accuracy, accuracy);
    int singular = 0;
    for (double x : table.naswot) singular += std::isinf(x) ? 1 : 0;
    row["naswot_singular_cells"] = singular;
    rows.push_back(row);
  }
  if (a.plot) {
    // The train devices' tasks: where the default is chosen (docs/proxies.md).
    const auto train = std::find_if(sets.begin(), sets.end(), [](const CeilingTaskSet& s) {
      return s.name.rfind("train", 0) == 0;
    });
    if (train == sets.end()) throw std::logic_error("proxies --plot: no train task set");
    const std::string& ceiling_set = train->name;
    for (const auto& row : rows) {
      std::vector<TradeoffPoint> points;
      for (const auto& name_json : row["order"]) {
        const std::string name = name_json.get<std::string>();
        if (row["cost_ms"][name].is_null()) continue;
        points.push_back({name, row["aggregate"][name].get<bool>(), row["kendall_tau"][name].get<double>(),
                          row["ceiling"][name][ceiling_set].get<double>(), row["cost_ms"][name].get<double>()});
      }
      const std::string dataset = row["dataset"].get<std::string>();
      const fs::path png = *a.plot + "-" + dataset + ".png";
      RenderGnuplot(TradeoffScript(points, fmt::format("{}: cost, within-budget ceiling and Kendall tau per score ({} "
                                                       "cells)",
                                                       dataset, row["cells"][row["order"][0].get<std::string>()].get<int>()),
                                   fmt::format("mean accuracy of the best-scored cell, {} tasks (%)", ceiling_set)),
                    png);
      fmt::print(stderr, "wrote {} ({} scores with a cost)\n", png.string(), points.size());
    }
  }
  if (a.json) {
    PrintJson(rows);
    return;
  }
  fmt::print("Rank correlation with NATS-Bench test accuracy, and the within-budget ceiling: mean accuracy of the\n"
             "best-scored cell under exact latencies (HELP's {} tasks; p25/50/75 of the train and of the test devices)\n",
             sets.front().tasks.size());
  for (const auto& row : rows) {
    fmt::print("\n{} ({})\n{:<18} {:>6} {:>8} {:>8}", row["dataset"].get<std::string>(), row["table"].get<std::string>(),
               "score", "cells", "tau", "rho");
    for (const CeilingTaskSet& set : sets) fmt::print(" {:>16}", set.name);
    if (!costs.empty()) fmt::print(" {:>8}", "ms/cell");
    fmt::print("\n");
    for (const auto& name_json : row["order"]) {
      const std::string name = name_json.get<std::string>();
      fmt::print("{:<18} {:>6} {:>8.4f} {:>8.4f}", name + (row["aggregate"][name].get<bool>() ? " *" : ""),
                 row["cells"][name].get<int>(), row["kendall_tau"][name].get<double>(),
                 row["spearman"][name].get<double>());
      for (const CeilingTaskSet& set : sets) fmt::print(" {:>16.2f}", row["ceiling"][name][set.name].get<double>());
      if (!costs.empty()) {
        const nlohmann::json& cost = row["cost_ms"][name];
        fmt::print(" {:>8}", cost.is_null() ? std::string("-") : fmt::format("{:.1f}", cost.get<double>()));
      }
      fmt::print("\n");
    }
    fmt::print("{:<18} {:>6} {:>8} {:>8}", "oracle (accuracy)", "", "", "");
    for (const CeilingTaskSet& set : sets) fmt::print(" {:>16.2f}", row["oracle"][set.name].get<double>());
    fmt::print("\n");
  }
  fmt::print("\n* = an aggregate recipe of {}\n", (ctx.Env().configs_dir / "aggregates.json").string());
}

// The zoo's values by name; null for -inf (undefined).
nlohmann::json FbnetZooJson(const ZooValues& zoo) {
  nlohmann::json j = nlohmann::json::object();
  for (const std::string_view name : kZooProxyNames) {
    const double x = zoo[name];
    j[std::string(name)] = std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
  }
  return j;
}

// --space fbnet: one architecture (cached) or HELP's 5,000 into tables/proxies/fbnet/cifar100.csv.
void RunFbnet(const Args& a, CliContext& ctx, CLI::App& cmd) {
  for (const char* flag : {"--merge", "--shard", "--reuse-naswot", "--reuse-freerea", "--reuse-features", "--no-zoo", "--inits",
                           "--batches", "--table"}) {
    if (cmd.count(flag) > 0) throw ParseError(fmt::format("simnas --space fbnet proxies does not take {}", flag));
  }
  if (ctx.cluster != nullptr && ctx.cluster->size() > 1) {
    throw JobError("simnas --space fbnet proxies runs in one process (run it without mpirun or with -np 1)");
  }
  if (a.dataset_given && ParseDataset(a.dataset) != Dataset::kCifar100) {
    throw ParseError("simnas --space fbnet proxies: FBNet networks are scored for cifar100 only (--dataset cifar100)");
  }
  FbnetProxyOptions options;
  options.seed = a.seed;
  options.threads = a.threads;
  options.reference_implementation = a.reference;
  const fs::path sample = DataDir(ctx.Env().data_dir).CifarSampleFile();
  if (a.all) {
    FbnetProxyTableJob job;
    job.out = a.out ? fs::path(*a.out) : ProxyTableFile(ctx.Env().proxy_tables_dir, ctx.space(), Dataset::kCifar100);
    job.options = options;
    job.save_every = a.save_every;
    job.zoo_rows = a.zoo_rows;
    job.command = fmt::format("simnas --space fbnet proxies --all --seed {}{}{}", a.seed, a.reference ? " --reference" : "",
                              a.zoo_rows > 0 ? fmt::format(" --zoo-rows {}", a.zoo_rows) : "");
    job.images = "data/cifar10-sample (first 64 CIFAR-10 training images)";
    InstallInterruptHandler();
    const FbnetProxyTableBuild b = BuildFbnetProxyTable(job, sample, ctx.Numbering());
    fmt::print(stderr, "wrote {} ({} networks, {} computed now and the zoo of {} more in {:.0f} s, {} resumed)\n",
               job.out.string(), b.rows, b.computed, b.zoo_computed, b.seconds, b.resumed);
    return;
  }
  const FbnetArch arch = FbnetOf(ctx.ResolveArch(a.cell, "proxies"));
  // Its HELP index when HELP's arch.pt is there (an --arch needs no other data than the images).
  const int index = fs::exists(FbnetArchFile(DataDir(ctx.Env().data_dir))) ? ctx.Numbering().IndexOf(ToArch(arch)) : -1;
  // The reference path is for checking: never served from (nor written to) the cache.
  const FbnetProxyCache cache(ctx.Env().cache_dir, a.seed);
  std::optional<FbnetProxyValues> v = a.reference ? std::nullopt : cache.Get(arch);
  const auto whole_zoo = [](const FbnetProxyValues& x) {
    return x.zoo && std::none_of(x.zoo->values.begin(), x.zoo->values.end(), [](double z) { return std::isnan(z); });
  };
  const bool cached = v && whole_zoo(*v);
  std::string cache_problem;
  if (!cached) {
    options.zoo = kAllZooProxies;
    FbnetProxyEvaluator evaluator(sample, options);
    if (v) {
      v->zoo = evaluator.Zoo(arch);  // a file written before the zoo: its values kept, the zoo added
    } else {
      v = evaluator.Evaluate(arch);
    }
    if (!a.reference) {
      // The values are computed: a cache that cannot keep them costs the next call, not this one.
      try {
        cache.Put(arch, *v);
      } catch (const Error& e) {
        cache_problem = e.what();
        spdlog::warn("the values are not kept in the cache: {}", cache_problem);
      }
    }
  }
  if (a.json) {
    PrintJson({{"space", "fbnet"},
               {"arch", arch.ToString()},
               {"index", index >= 0 ? nlohmann::json(index) : nlohmann::json(nullptr)},
               {"dataset", "cifar100"},
               {"seed", a.seed},
               {"method_version", kFbnetProxyMethodVersion},
               {"naswot", std::isfinite(v->naswot) ? nlohmann::json(v->naswot) : nlohmann::json(nullptr)},
               {"naswot_singular", !std::isfinite(v->naswot)},
               {"logsynflow", v->logsynflow},
               {"params", v->params},
               {"flops", v->flops},
               {"zoo", FbnetZooJson(*v->zoo)},
               {"cached", cached},
               {"cache_file", a.reference || !cache_problem.empty() ? "" : cache.FileOf(arch).string()}});
    return;
  }
  fmt::print("arch        {}\nindex       {}\ndataset     cifar100 (seed {}, method v{})\n", arch.ToString(),
             index >= 0 ? std::to_string(index) : "(not one of HELP's 5,000)", a.seed, kFbnetProxyMethodVersion);
  fmt::print("naswot      {}\nlogsynflow  {:.10g}\nparams      {}\nflops       {} (multiply-adds)\n",
             std::isfinite(v->naswot) ? fmt::format("{:.10g}", v->naswot) : "-inf (singular kernel)", v->logsynflow,
             v->params, v->flops);
  for (const std::string_view name : kZooProxyNames) fmt::print("{:<17} {:.10g}\n", name, (*v->zoo)[name]);
  const char* const cache_state = cached                 ? "hit"
                                  : a.reference          ? "not used (--reference)"
                                  : cache_problem.empty() ? "stored"
                                                          : "not stored";
  fmt::print("cache       {} ({})\n", cache_state, cache.FileOf(arch).string());
}

// --report on a space without accuracy: how each score ranks networks like their size.
void RunSizeReport(const Args& a, CliContext& ctx) {
  const Dataset dataset = a.dataset_given ? ParseDataset(a.dataset) : ctx.space().Datasets().front();
  const fs::path path =
      a.table ? fs::path(*a.table) : ProxyTableFile(ctx.Env().proxy_tables_dir, ctx.space(), dataset);
  const ProxyTable table = LoadProxyTable(path, ctx.Numbering(), dataset);
  const std::string reference = DefaultProxyAggregateName(ctx.Env().configs_dir, ctx.space());
  std::string reference_key = "rho_" + reference;
  std::replace(reference_key.begin(), reference_key.end(), '-', '_');
  const std::vector<SizeCorrelation> rows =
      SizeCorrelations(table, ProxyScores(table, ParseProxyAggregate(reference, ctx.Env().configs_dir)).values());
  if (a.json) {
    nlohmann::json j = {{"table", path.string()}, {"rows", rows.front().rows}, {"scores", nlohmann::json::array()}};
    for (const SizeCorrelation& r : rows) {
      j["scores"].push_back({{"score", r.column}, {"rho_flops", r.rho_flops}, {"rho_params", r.rho_params},
                             {reference_key, r.rho_reference}});
    }
    PrintJson(j);
    return;
  }
  fmt::print("{}: Spearman rho over {} networks (rows with every score; no trained accuracy exists for {})\n\n",
             path.string(), rows.front().rows, ctx.space().name());
  fmt::print("| score | vs multiply-adds | vs params | vs {} |\n|---|---:|---:|---:|\n", reference);
  for (const SizeCorrelation& r : rows) {
    fmt::print("| {} | {:.3f} | {:.3f} | {:.3f} |\n", r.column, r.rho_flops, r.rho_params, r.rho_reference);
  }
}

}  // namespace

void AddProxiesCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "proxies", "Training-free proxies (NASWOT, LogSynflow, SkipScore) of one cell, of all cells into a table, "
                 "merge shards, or report their rank correlation with accuracy");
  auto args = std::make_shared<Args>();
  AddCellOptions(cmd, args->cell, std::string("Score one architecture: ") + kArchHelp,
                 std::string("Score one architecture by index: ") + kIndexHelp);
  CLI::Option* arch_opt = args->cell.arch_option;
  CLI::Option* index_opt = args->cell.index_option->check(CLI::Range(0, kNumCells - 1));
  auto* all_opt = cmd->add_flag("--all", args->all, "Score every cell into a table (resumable; see --shard, --out)");
  auto* merge_opt = cmd->add_option("--merge", args->merge, "Merge shard tables FILE... into --out");
  auto* report_opt =
      cmd->add_flag("--report", args->report,
                    "Kendall tau / Spearman of each proxy and aggregate with test accuracy, and their within-budget "
                    "ceilings (a partial table: over its cells)");
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
                  "Table to write (--all: default the shipped tables/proxies/<dataset>.csv, with .shard-k-of-n for a "
                  "shard; fbnet: tables/proxies/fbnet/cifar100.csv; shipped files are written only when --out names "
                  "them)");
  cmd->add_option("--table", args->table, "Table for --report, or to normalize one cell's aggregate against");
  cmd->add_option("--costs", args->costs,
                  "With --report: cost per cell of each score, from proxies_bench --benchmark_filter=ScoreCost "
                  "--benchmark_out=FILE (Google Benchmark JSON)")
      ->needs(report_opt);
  cmd->add_option("--plot", args->plot,
                  "With --report and --costs: draw cost vs ceiling (train tasks) vs Kendall tau into PREFIX-<dataset>.png")
      ->needs(report_opt);
  cmd->add_option("--save-every", args->save_every, "With --all: seconds between saves of partial results (default 30)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reuse-naswot", args->reuse_naswot,
                  "With --all: take NASWOT from this table of another dataset with the same input size and options "
                  "(cifar10 <-> cifar100; NASWOT does not read the classifier), compute the rest")
      ->needs(all_opt);
  cmd->add_option("--reuse-freerea", args->reuse_freerea,
                  "With --all: take NASWOT, LogSynflow and SkipScore from this table of the same dataset and options "
                  "(e.g. a committed v1 table) and compute only the zoo's columns")
      ->needs(all_opt);
  cmd->add_option("--reuse-features", args->reuse_features,
                  "With --all: take the zoo's classifier-free columns (meco, az_expressivity, az_progressivity, "
                  "az_trainability) from this v2 table of another dataset with the same input size and options "
                  "(cifar10 <-> cifar100), compute the rest")
      ->needs(all_opt);
  cmd->add_flag("--no-zoo", args->no_zoo, "With --all: FreeREA's three proxies only (a v1 table)")->needs(all_opt);
  cmd->add_flag("--reference", args->reference, "Use the straightforward (slow) implementation, for checking");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->add_option("--zoo-rows", args->zoo_rows,
                  "--space fbnet, with --all: also the zoo for the table's rows [0, N) (~2 s per network)")
      ->needs(all_opt)
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args, &ctx, cmd] {
    if (&ctx.space() == &FbnetSpace()) {
      if (args->report) return RunSizeReport(*args, ctx);
      if (!args->all && !args->cell.given()) {
        throw ParseError("simnas --space fbnet proxies needs one of --arch STR, --index N, --all, --report");
      }
      return RunFbnet(*args, ctx, *cmd);
    }
    if (cmd->count("--zoo-rows") > 0) throw ParseError("simnas proxies: --zoo-rows is for --space fbnet");
    if (args->all) return RunAll(*args, ctx);
    if (!args->merge.empty()) return RunMerge(*args);
    if (args->report) return RunReport(*args, ctx);
    if (args->cell.given()) return RunOne(*args, ctx);
    throw ParseError("simnas proxies needs one of --arch STR, --index N, --all, --merge FILE..., --report");
  });
}

}  // namespace simnas::cli
