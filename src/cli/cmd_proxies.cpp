// simnas proxies: the training-free proxies (NASWOT, LogSynflow, the zoo of zoo.h; SkipScore where
// the space has it) of one architecture of --space, of its numbered architectures (or a sample)
// into a proxy table (resumable, shardable; spread over MPI ranks under mpirun where the space has
// a fast proxy path), merging shards, and a report of how well the proxies rank architectures
// (Kendall tau and Spearman with measured accuracy, with the space's own score such as a
// predicted accuracy, or with size). One path for every space: a space's fast proxy path
// (Space::FastProxyEntry) or the evaluator over its proxy network (Space::DescribeForProxies).
// Flags and printing only: the work is in proxies/.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/bench/proxy_ceiling.h"
#include "simnas/core/error.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/probe/measure_all.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_table_builder.h"
#include "simnas/proxies/proxy_tradeoff.h"
#include "simnas/space/space_data.h"

namespace simnas::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
  ArchArgs arch;
  bool all = false;
  std::vector<std::string> merge;
  bool report = false;
  std::string dataset;
  bool dataset_given = false;
  std::uint64_t seed = 0;
  int inits = 1;
  int batches = 1;
  int threads = 0;
  std::optional<int> sample;
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
  std::int64_t zoo_rows = -1;  // -1: not given
  bool reference = false;
  bool json = false;
};

// --dataset, or the space's first dataset. Throws ParseError for a dataset the space does not build for.
Dataset DatasetOf(const Args& a, const Space& space) {
  const std::vector<Dataset> datasets = space.Datasets();
  if (!a.dataset_given) return datasets.front();
  const Dataset d = ParseDataset(a.dataset);
  if (std::find(datasets.begin(), datasets.end(), d) == datasets.end()) {
    std::string known;
    for (Dataset x : datasets) known += (known.empty() ? "" : ", ") + std::string(DatasetName(x));
    throw ParseError(fmt::format("simnas --space {} proxies: its networks are built for {} (--dataset {})",
                                 space.name(), known, a.dataset));
  }
  return d;
}

bool HasFastPath(const Space& space) { return !space.FastProxyEntry().empty(); }

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

DescribedProxyOptions MakeDescribedOptions(const Args& a, Dataset dataset) {
  DescribedProxyOptions o;
  o.dataset = dataset;
  o.seed = a.seed;
  o.threads = a.threads;
  o.reference_implementation = a.reference;
  return o;
}

// The zoo's values by name; null for -inf (undefined).
nlohmann::json ZooJson(const ZooValues& zoo) {
  nlohmann::json j = nlohmann::json::object();
  for (const std::string_view name : kZooProxyNames) {
    const double x = zoo[name];
    j[std::string(name)] = std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
  }
  return j;
}

// One architecture through the space's fast proxy path.
void RunOneFast(const Args& a, CliContext& ctx) {
  const Space& space = ctx.space();
  const Dataset dataset = DatasetOf(a, space);
  const Arch arch = ctx.ResolveArch(a.arch, "proxies");
  const int index = ctx.Numbering().IndexOf(arch);
  ProxyOptions options = MakeOptions(a, dataset);
  options.zoo = true;
  const ProxyValues v = ComputeProxies(arch, DataDir(ctx.Env().data_dir).CifarSampleFile(), options);
  const fs::path table_path =
      a.table ? fs::path(*a.table) : ProxyTableFile(ctx.Env().proxy_tables_dir, space, dataset);
  nlohmann::json aggregates = nullptr;
  if (fs::exists(table_path)) {
    const ProxyCellAggregates ag = AggregatesAgainst(LoadProxyTable(table_path, dataset), v);
    aggregates = {{"freerea", ag.freerea}, {"rank", ag.rank}};
  }
  if (a.json) {
    nlohmann::json j = {{"arch", space.Format(arch)},
                        {"index", index},
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
    j.update(ZooJson(*v.zoo));
    PrintJson(j);
    return;
  }
  fmt::print("arch        {}\nindex       {}\ndataset     {} (seed {}, {} init(s) x {} batch(es))\n", space.Format(arch),
             index, DatasetName(dataset), a.seed, a.inits, a.batches);
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

// The numbering's table through the space's fast proxy path (MPI ranks, shards, reuse).
void RunAllFast(const Args& a, CliContext& ctx) {
  ProxyTableJob job;
  job.dataset = DatasetOf(a, ctx.space());
  job.shard = a.shard ? ParseProxyShard(*a.shard) : ProxyShard{};
  job.options = MakeOptions(a, job.dataset);
  if (a.out) job.out = fs::path(*a.out);
  job.tables_dir = ctx.Env().proxy_tables_dir;
  if (a.reuse_naswot) job.reuse_naswot = fs::path(*a.reuse_naswot);
  if (a.reuse_freerea) job.reuse_freerea = fs::path(*a.reuse_freerea);
  if (a.reuse_features) job.reuse_features = fs::path(*a.reuse_features);
  job.options.zoo = !a.no_zoo;
  job.save_every = a.save_every;
  if (a.sample) {
    job.rows = MeasureAllIndices(ctx.Numbering().size(), a.sample, a.seed);
    job.sample_note = fmt::format(" --sample {}", *a.sample);
  }
  const ProxyTableBuild b =
      BuildProxyTable(job, DataDir(ctx.Env().data_dir).CifarSampleFile(), ctx.Numbering(), *ctx.cluster);
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

// One architecture through the evaluator over the space's proxy network, kept in the cache.
void RunOneDescribed(const Args& a, CliContext& ctx) {
  const Space& space = ctx.space();
  const Dataset dataset = DatasetOf(a, space);
  const Arch arch = ctx.ResolveArch(a.arch, "proxies");
  // Its index when the numbering's data is there (an --arch needs no other data than the images).
  int index = -1;
  try {
    index = ctx.Numbering().IndexOf(arch);
  } catch (const DataError&) {
    if (a.arch.index) throw;
  }
  DescribedProxyOptions options = MakeDescribedOptions(a, dataset);
  const fs::path sample = DataDir(ctx.Env().data_dir).CifarSampleFile();
  // The reference path is for checking: never served from (nor written to) the cache.
  const DescribedProxyCache cache(ctx.Env().cache_dir, space, dataset, a.seed);
  std::optional<DescribedProxyValues> v = a.reference ? std::nullopt : cache.Get(arch);
  const auto whole_zoo = [](const DescribedProxyValues& x) {
    return x.zoo && std::none_of(x.zoo->values.begin(), x.zoo->values.end(), [](double z) { return std::isnan(z); });
  };
  const bool cached = v && whole_zoo(*v);
  std::string cache_problem;
  if (!cached) {
    options.zoo = kAllZooProxies;
    DescribedProxyEvaluator evaluator(space, sample, options);
    if (v) {
      v->zoo = evaluator.Zoo(arch);  // a file without the zoo: its values kept, the zoo added
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
    PrintJson({{"space", std::string(space.name())},
               {"arch", space.Format(arch)},
               {"index", index >= 0 ? nlohmann::json(index) : nlohmann::json(nullptr)},
               {"dataset", std::string(DatasetName(dataset))},
               {"seed", a.seed},
               {"method_version", kDescribedProxyMethodVersion},
               {"naswot", std::isfinite(v->naswot) ? nlohmann::json(v->naswot) : nlohmann::json(nullptr)},
               {"naswot_singular", !std::isfinite(v->naswot)},
               {"logsynflow", v->logsynflow},
               {"params", v->params},
               {"flops", v->flops},
               {"zoo", ZooJson(*v->zoo)},
               {"cached", cached},
               {"cache_file", a.reference || !cache_problem.empty() ? "" : cache.FileOf(arch).string()}});
    return;
  }
  fmt::print("arch        {}\nindex       {}\ndataset     {} (seed {}, method v{})\n", space.Format(arch),
             index >= 0 ? std::to_string(index) : "(not in the numbering)", DatasetName(dataset), a.seed,
             kDescribedProxyMethodVersion);
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

// The numbering's table (or a sample's) through the evaluator over the space's proxy network.
void RunAllDescribed(const Args& a, CliContext& ctx) {
  const Space& space = ctx.space();
  if (ctx.cluster != nullptr && ctx.cluster->size() > 1) {
    throw JobError(fmt::format("simnas --space {} proxies --all runs in one process (run it without mpirun or with "
                               "-np 1; split the work with --shard k/n)",
                               space.name()));
  }
  const Dataset dataset = DatasetOf(a, space);
  const CandidateSet& numbering = ctx.Numbering();
  DescribedProxyTableJob job;
  job.options = MakeDescribedOptions(a, dataset);
  job.shard = a.shard ? ParseProxyShard(*a.shard) : ProxyShard{};
  if (a.sample) job.rows = MeasureAllIndices(numbering.size(), a.sample, a.seed);
  fs::path out = a.out ? fs::path(*a.out) : ProxyTableFile(ctx.Env().proxy_tables_dir, space, dataset);
  if (!a.out && !job.shard.whole()) out += fmt::format(".shard-{}-of-{}", job.shard.k, job.shard.n);
  job.out = out;
  job.save_every = a.save_every;
  job.zoo_rows = a.zoo_rows < 0 ? 0 : a.zoo_rows;
  job.command = fmt::format("simnas --space {} proxies --all --dataset {} --seed {}{}{}{}{}", space.name(),
                            DatasetName(dataset), a.seed, a.sample ? fmt::format(" --sample {}", *a.sample) : "",
                            a.shard ? " --shard " + *a.shard : "", a.reference ? " --reference" : "",
                            a.zoo_rows > 0 ? fmt::format(" --zoo-rows {}", a.zoo_rows) : "");
  job.images = space.ArchitecturesCarryInputSize()
                   ? "data/cifar10-sample (first 64 CIFAR-10 training images, resized bilinearly to each network's "
                     "resolution)"
                   : "data/cifar10-sample (first 64 CIFAR-10 training images)";
  InstallInterruptHandler();
  const DescribedProxyTableBuild b =
      BuildDescribedProxyTable(job, DataDir(ctx.Env().data_dir).CifarSampleFile(), numbering);
  fmt::print(stderr, "wrote {} ({} rows, {} computed now and the zoo of {} more in {:.0f} s, {} resumed)\n",
             job.out.string(), b.rows, b.computed, b.zoo_computed, b.seconds, b.resumed);
}

void RunMerge(const Args& a) {
  if (!a.out) throw ParseError("simnas proxies --merge needs --out FILE");
  std::vector<fs::path> files(a.merge.begin(), a.merge.end());
  const ProxyTable merged = MergeProxyTables(files);
  SaveProxyTable(*a.out, merged);
  fmt::print(stderr, "wrote {} ({} rows from {} files)\n", *a.out, merged.size(), a.merge.size());
}

// Shards of one table of a space without a fast proxy path, into --out.
void RunMergeDescribed(const Args& a, CliContext& ctx) {
  if (!a.out) throw ParseError("simnas proxies --merge needs --out FILE");
  const std::vector<fs::path> files(a.merge.begin(), a.merge.end());
  const ProxyTable merged = MergeDescribedProxyTables(files, ctx.Numbering(), DatasetOf(a, ctx.space()));
  SaveProxyTable(*a.out, merged);
  fmt::print(stderr, "wrote {} ({} rows from {} files)\n", *a.out, merged.Filled(), a.merge.size());
}

void RunReport(const Args& a, CliContext& ctx) {
  if (a.plot && !a.costs) throw ParseError("simnas proxies --report --plot needs --costs FILE (the cost axis)");
  const Space& space = ctx.space();
  const SpaceData& data = ctx.DataOf(space);
  std::vector<std::pair<Dataset, fs::path>> tables;
  if (a.table) {
    tables.emplace_back(DatasetOf(a, space), *a.table);
  } else {
    for (Dataset d : space.AccuracyDatasets()) {
      if (a.dataset_given && d != ParseDataset(a.dataset)) continue;
      const fs::path file = ProxyTableFile(ctx.Env().proxy_tables_dir, space, d);
      if (fs::exists(file)) tables.emplace_back(d, file);
    }
  }
  if (tables.empty()) throw DataError("no proxy table to report on (generate one with simnas proxies --all)");
  const std::vector<ProxyAggregate> recipes = LoadProxyAggregates(ctx.Env().configs_dir);
  const std::vector<CeilingTaskSet> sets = ReportCeilingTaskSets(data);
  const std::map<std::string, double> costs = a.costs ? LoadScoreCosts(*a.costs) : std::map<std::string, double>{};
  const auto cost_of = [&](const std::string& name) {
    const auto it = costs.find(name);
    return it == costs.end() ? std::nan("") : it->second;
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [dataset, path] : tables) {
    // A partial table (a sample, a shard) is judged on the cells it has.
    const ProxyTable table = LoadPartialProxyTable(path, ctx.Numbering(), dataset);
    const std::vector<double>& accuracy = data.RequireAccuracy(dataset);
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
  fmt::print("Rank correlation with measured test accuracy, and the within-budget ceiling: mean accuracy of the\n"
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

// --report on a space whose accuracy is a score of its own (Space::ScoreSources, e.g. a
// predicted accuracy): Kendall tau and Spearman of each proxy and aggregate of the table with
// that score and with the networks' size, over the table's rows.
void RunScoreReport(const Args& a, CliContext& ctx) {
  const Space& space = ctx.space();
  const Dataset dataset = DatasetOf(a, space);
  const fs::path path =
      a.table ? fs::path(*a.table) : ProxyTableFile(ctx.Env().proxy_tables_dir, space, dataset);
  const CandidateSet& numbering = ctx.Numbering();
  const ProxyTable table = LoadPartialProxyTable(path, numbering, dataset);
  const std::string source = space.ScoreSources().front();
  const std::string score_name = space.ScoreName(source);
  const std::vector<double> reference = space.Scores(source, numbering, ctx.DataOf(space));
  const std::vector<ProxyAggregate> recipes = LoadProxyAggregates(ctx.Env().configs_dir);
  const std::vector<double>* flops = table.Column("flops");
  const std::vector<double>* params = table.Column("params");
  if (flops == nullptr || params == nullptr) throw DataError(fmt::format("{}: no params or flops column", path.string()));
  // Rows of the table only: the reference and the sizes NaN elsewhere.
  std::vector<double> ref(reference.size(), std::nan(""));
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table.Has(i)) ref[i] = reference[i];
  }
  std::string key = source;
  std::replace(key.begin(), key.end(), '-', '_');
  nlohmann::json j = {{"space", std::string(space.name())},
                      {"dataset", std::string(DatasetName(dataset))},
                      {"table", path.string()},
                      {"rows", table.Filled()},
                      {"score_source", source},
                      {"scores", nlohmann::json::array()}};
  struct Line {
    std::string name;
    bool aggregate;
    RankAgreement score, by_flops, by_params;
  };
  std::vector<Line> lines;
  for (const ReportedScore& s : ReportedScores(table, recipes)) {
    if (s.name == "az_complexity") continue;  // params again
    lines.push_back({s.name, s.aggregate, AgreementWithAccuracy(s.score, ref), AgreementWithAccuracy(s.score, *flops),
                     AgreementWithAccuracy(s.score, *params)});
  }
  for (const Line& l : lines) {
    j["scores"].push_back({{"score", l.name},
                           {"aggregate", l.aggregate},
                           {"rows", l.score.cells},
                           {"tau_" + key, l.score.kendall_tau},
                           {"rho_" + key, l.score.spearman},
                           {"tau_flops", l.by_flops.kendall_tau},
                           {"rho_flops", l.by_flops.spearman},
                           {"tau_params", l.by_params.kendall_tau},
                           {"rho_params", l.by_params.spearman}});
  }
  if (a.json) {
    PrintJson(j);
    return;
  }
  fmt::print("{}: rank correlation over {} {}s with {} (no measured accuracy exists for {}) and with size\n\n",
             path.string(), table.Filled(), space.arch_noun(), score_name, space.name());
  fmt::print("| score | rows | tau {0} | rho {0} | tau multiply-adds | rho multiply-adds | tau params | rho params |\n"
             "|---|---:|---:|---:|---:|---:|---:|---:|\n",
             score_name);
  for (const Line& l : lines) {
    fmt::print("| {}{} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", l.name, l.aggregate ? " *" : "",
               l.score.cells, l.score.kendall_tau, l.score.spearman, l.by_flops.kendall_tau, l.by_flops.spearman,
               l.by_params.kendall_tau, l.by_params.spearman);
  }
  fmt::print("\n* = an aggregate recipe of {}\n", (ctx.Env().configs_dir / "aggregates.json").string());
}

// --report on a space without accuracy: how each score ranks networks like their size.
void RunSizeReport(const Args& a, CliContext& ctx) {
  const Dataset dataset = DatasetOf(a, ctx.space());
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
      "proxies", "Training-free proxies (NASWOT, LogSynflow, the zoo; SkipScore where the space has it) of one "
                 "architecture of --space, of its numbered architectures (or a sample) into a table, merge shards, or "
                 "report their rank correlation with accuracy (measured, or the space's own score such as a predicted "
                 "accuracy)");
  auto args = std::make_shared<Args>();
  AddArchOptions(cmd, args->arch, std::string("Score one architecture: ") + kArchHelp,
                 std::string("Score one architecture by index: ") + kIndexHelp);
  CLI::Option* arch_opt = args->arch.arch_option;
  CLI::Option* index_opt = args->arch.index_option;
  auto* all_opt = cmd->add_flag("--all", args->all, "Score every numbered architecture (or --sample K of them) into a table (resumable; see --shard, --out)");
  auto* merge_opt = cmd->add_option("--merge", args->merge, "Merge shard tables FILE... into --out");
  auto* report_opt =
      cmd->add_flag("--report", args->report,
                    "Kendall tau / Spearman of each proxy and aggregate with measured test accuracy and their "
                    "within-budget ceilings; in a space without one, with its own score (e.g. predicted accuracy) or "
                    "size (a partial table: over its rows)");
  for (CLI::Option* o : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
    for (CLI::Option* other : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
      if (o != other) o->excludes(other);
    }
  }
  cmd->add_option("--dataset", args->dataset, "A dataset --space builds its networks for (default: its first)")
      ->each([args](const std::string&) { args->dataset_given = true; });
  cmd->add_option("--seed", args->seed, "Seed of the network initializations (default 0)");
  cmd->add_option("--inits", args->inits, "Initializations averaged (default 1)")->check(CLI::Range(1, 100));
  cmd->add_option("--batches", args->batches, "Batches of 64 images averaged for NASWOT (default 1, at most 10)")
      ->check(CLI::Range(1, 10));
  cmd->add_option("--threads", args->threads, "Intra-op threads (default: all cores)")->check(CLI::Range(0, 256));
  cmd->add_option("--shard", args->shard, "With --all: compute only shard k of n (the job's rows i with i % n == k-1)")
      ->needs(all_opt);
  cmd->add_option("--out", args->out,
                  "Table to write (--all: default the shipped tables/proxies/<space>/<dataset>.csv, with "
                  ".shard-k-of-n for a shard; shipped files are written only when --out names them)");
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
                  "With --all, a space without a fast proxy path: also the zoo for the job's first N rows (default 0)")
      ->needs(all_opt)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sample", args->sample,
                  "With --all: score K random numbered architectures (the sample `simnas measure-all --sample K "
                  "--seed S` measures, S = --seed)")
      ->needs(all_opt)
      ->check(CLI::PositiveNumber);
  cmd->callback([args, &ctx, cmd] {
    const Space& space = ctx.space();
    const bool fast = HasFastPath(space);
    // Flags of the fast path only (several initializations and batches, reused columns, v1 tables).
    if (!fast) {
      for (const char* flag : {"--inits", "--batches", "--reuse-naswot", "--reuse-freerea", "--reuse-features",
                               "--no-zoo", "--costs", "--plot"}) {
        if (cmd->count(flag) > 0) {
          throw ParseError(fmt::format("simnas --space {} proxies does not take {} (a space with a fast proxy path "
                                       "does)", space.name(), flag));
        }
      }
    } else if (cmd->count("--zoo-rows") > 0) {
      throw ParseError(fmt::format("simnas --space {} proxies does not take {} (its tables hold the zoo of every {} "
                                   "they hold; see --no-zoo)", space.name(), "--zoo-rows", space.arch_noun()));
    }
    if (!args->merge.empty()) return fast ? RunMerge(*args) : RunMergeDescribed(*args, ctx);
    if (args->report) {
      if (!space.AccuracyDatasets().empty()) return RunReport(*args, ctx);
      if (!space.ScoreSources().empty()) return RunScoreReport(*args, ctx);
      return RunSizeReport(*args, ctx);
    }
    if (!args->all && !args->arch.given()) {
      throw ParseError("simnas proxies needs one of --arch STR, --index N, --all, --merge FILE..., --report");
    }
    if (fast) return args->all ? RunAllFast(*args, ctx) : RunOneFast(*args, ctx);
    return args->all ? RunAllDescribed(*args, ctx) : RunOneDescribed(*args, ctx);
  });
}

}  // namespace simnas::cli
