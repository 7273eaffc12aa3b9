// simnas proxies: the training-free proxies (NASWOT, LogSynflow, SkipScore) of one cell, of
// every cell into a proxy table (resumable, shardable across processes or machines), merging
// shards, and a report of how well the proxies rank cells (Kendall tau with NATS-Bench test
// accuracy).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table.h"

namespace simnas::cli {
namespace {

namespace fs = std::filesystem;

struct Shard {
  int k = 1;  // 1-based
  int n = 1;
  bool Contains(int index) const { return index % n == k - 1; }
  bool whole() const { return n == 1; }
};

Shard ParseShard(const std::string& text) {
  const std::vector<std::string> parts = Split(text, '/');
  const auto k = parts.size() == 2 ? ParseInt(parts[0]) : std::nullopt;
  const auto n = parts.size() == 2 ? ParseInt(parts[1]) : std::nullopt;
  if (!k || !n || *n < 1 || *n > kNumCells || *k < 1 || *k > *n) {
    throw ParseError(fmt::format("--shard {}: expected k/n with 1 <= k <= n (e.g. 1/2)", Quoted(text)));
  }
  return Shard{static_cast<int>(*k), static_cast<int>(*n)};
}

std::string ProxyCommand(Dataset dataset, const ProxyOptions& o, const Shard& shard, const std::string& reuse_naswot) {
  std::string command = fmt::format("simnas proxies --all --dataset {} --seed {} --inits {} --batches {}",
                                    DatasetName(dataset), o.seed, o.inits, o.batches);
  if (!shard.whole()) command += fmt::format(" --shard {}/{}", shard.k, shard.n);
  if (o.reference_implementation) command += " --reference";
  if (!reuse_naswot.empty()) command += " --reuse-naswot " + reuse_naswot;
  return command;
}

// NASWOT does not read the classifier, and the classifier's weights are drawn last, so the
// NASWOT values of two datasets with the same input size, seed, inits and batches are
// identical: a table can take them from another dataset's table (--reuse-naswot).
void CheckNaswotReusable(const ProxyTable& source, Dataset dataset, const std::map<std::string, std::string>& ours,
                         const fs::path& path) {
  const auto ds = source.provenance.find("dataset");
  if (ds == source.provenance.end()) throw DataError(fmt::format("{}: no '# dataset:' line", path.string()));
  if (InputSize(ParseDataset(ds->second)) != InputSize(dataset)) {
    throw DataError(fmt::format("--reuse-naswot {}: {} networks take {}x{} inputs, {} networks {}x{}", path.string(),
                                ds->second, InputSize(ParseDataset(ds->second)), InputSize(ParseDataset(ds->second)),
                                DatasetName(dataset), InputSize(dataset), InputSize(dataset)));
  }
  for (const char* key : {"seed", "inits", "batches", "implementation"}) {
    const auto a = source.provenance.find(key);
    if (a == source.provenance.end() || a->second != ours.at(key)) {
      throw DataError(fmt::format("--reuse-naswot {}: its {} is {}, this table's is {}", path.string(), key,
                                  a == source.provenance.end() ? "(none)" : Quoted(a->second), Quoted(ours.at(key))));
    }
  }
}

// The provenance keys that must agree for rows to be combined (resume, merge).
const std::vector<std::string> kIdentityKeys = {"dataset", "seed", "inits", "batches", "implementation"};

std::map<std::string, std::string> Provenance(Dataset dataset, const ProxyOptions& o, const Shard& shard,
                                              const std::string& reuse_naswot) {
  std::map<std::string, std::string> p;
  p["command"] = ProxyCommand(dataset, o, shard, reuse_naswot);
  p["dataset"] = std::string(DatasetName(dataset));
  p["seed"] = std::to_string(o.seed);
  p["inits"] = std::to_string(o.inits);
  p["batches"] = std::to_string(o.batches);
  p["implementation"] = o.reference_implementation ? "reference" : "fast";
  p["version"] = fmt::format("simnas {}", SIMNAS_VERSION);
  p["images"] = dataset == Dataset::kImageNet16_120
                    ? "data/cifar10-sample (CIFAR-10 training images), downsampled 2x2 to 16x16"
                    : "data/cifar10-sample (CIFAR-10 training images)";
  p["method"] =
      "FreeREA: NASWOT (train-mode BatchNorm, 64 images), LogSynflow (no BatchNorm, |w|, all-ones input), "
      "SkipScore; Kaiming-normal fan_out init";
  if (!shard.whole()) p["shard"] = fmt::format("{}/{}", shard.k, shard.n);
  if (!reuse_naswot.empty()) {
    p["naswot"] = fmt::format("taken from {} (identical: NASWOT does not read the classifier)", reuse_naswot);
  }
  return p;
}

void CheckSameIdentity(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b,
                       const std::string& what) {
  for (const std::string& key : kIdentityKeys) {
    const auto ia = a.find(key);
    const auto ib = b.find(key);
    const std::string va = ia == a.end() ? "(none)" : ia->second;
    const std::string vb = ib == b.end() ? "(none)" : ib->second;
    if (va != vb) throw DataError(fmt::format("{}: {} is {} but {} is expected", what, key, Quoted(vb), Quoted(va)));
  }
}

ProxyTable EmptyTable(Dataset dataset) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProxyTable t;
  t.dataset = dataset;
  t.naswot.assign(kNumCells, nan);
  t.logsynflow.assign(kNumCells, nan);
  t.skip.assign(kNumCells, nan);
  return t;
}

bool HasRow(const ProxyTable& t, int index) { return !std::isnan(t.skip[static_cast<std::size_t>(index)]); }

// -inf (a singular NASWOT kernel) ranks below every finite value; stats functions get finite numbers.
std::vector<double> FiniteForRanking(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity();
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x);
  }
  std::vector<double> out(v);
  for (double& x : out) {
    if (!std::isfinite(x)) x = lo - 1;
  }
  return out;
}

// The two aggregates of one cell's values against a full table: FreeREA's sum of min-max
// normalized values, and the sum of normalized ranks (as ProxyScores computes them).
nlohmann::json Aggregates(const ProxyTable& table, const ProxyValues& v) {
  const std::array<const std::vector<double>*, 3> columns = {&table.naswot, &table.logsynflow, &table.skip};
  const std::array<double, 3> values = {v.naswot, v.logsynflow, v.skip};
  double freerea = 0;
  double rank = 0;
  for (std::size_t p = 0; p < 3; ++p) {
    const std::vector<double>& col = *columns[p];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double x : col) {
      if (std::isfinite(x)) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    const double x = values[p];
    if (std::isfinite(x) && hi > lo) freerea += std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
    double below = 0, equal = 0;
    for (double y : col) {
      below += y < x ? 1 : 0;
      equal += y == x ? 1 : 0;
    }
    // 1-based average rank of x among the column (ties averaged), as if it were one of them.
    const double r = below + (equal + 1) / 2.0;
    rank += std::clamp((r - 1) / static_cast<double>(col.size() - 1), 0.0, 1.0);
  }
  return {{"freerea", freerea}, {"rank", rank}};
}

struct Args {
  std::optional<std::string> arch;
  std::optional<int> index;
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
  const Cell cell = a.arch ? Cell::Parse(*a.arch) : space.CellAt(*a.index);
  const ProxyOptions options = MakeOptions(a, dataset);
  const ProxyValues v = ComputeProxies(cell, ctx.Data().dir().CifarSampleFile(), options);
  const fs::path table_path = a.table ? fs::path(*a.table) : DefaultProxyTablePath(dataset);
  nlohmann::json aggregates = nullptr;
  if (fs::exists(table_path)) aggregates = Aggregates(LoadProxyTable(table_path, dataset), v);
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
  const Dataset dataset = ParseDataset(a.dataset);
  const Shard shard = a.shard ? ParseShard(*a.shard) : Shard{};
  const ProxyOptions options = MakeOptions(a, dataset);
  fs::path out = a.out ? fs::path(*a.out) : DefaultProxyTablePath(dataset);
  if (!a.out && !shard.whole()) out += fmt::format(".shard-{}-of-{}", shard.k, shard.n);
  const std::map<std::string, std::string> provenance =
      Provenance(dataset, options, shard, a.reuse_naswot.value_or(""));
  std::optional<ProxyTable> naswot_source;
  if (a.reuse_naswot) {
    naswot_source = LoadPartialProxyTableOfAnyDataset(*a.reuse_naswot);  // another dataset's, by design
    CheckNaswotReusable(*naswot_source, dataset, provenance, *a.reuse_naswot);
  }

  ProxyTable table = EmptyTable(dataset);
  if (fs::exists(out)) {
    table = LoadPartialProxyTable(out, dataset);
    CheckSameIdentity(provenance, table.provenance, fmt::format("{} (to resume)", out.string()));
    if (table.provenance["shard"] != (shard.whole() ? "" : provenance.at("shard"))) {
      throw DataError(fmt::format("{} was computed for shard {}, not {}", out.string(),
                                  Quoted(table.provenance["shard"]), Quoted(a.shard.value_or("(whole)"))));
    }
  }
  table.provenance = provenance;

  const SearchSpace& space = ctx.Data().space();
  std::vector<int> todo;
  std::int64_t total = 0;
  for (int index = 0; index < kNumCells; ++index) {
    if (!shard.Contains(index)) continue;
    ++total;
    if (!HasRow(table, index)) todo.push_back(index);
  }
  ProxyEvaluator evaluator(ctx.Data().dir().CifarSampleFile(), options);
  Progress progress(fmt::format("proxies {}{}", DatasetName(dataset),
                                shard.whole() ? "" : fmt::format(" shard {}/{}", shard.k, shard.n)),
                    total, total - static_cast<std::int64_t>(todo.size()), "cells");
  using Clock = std::chrono::steady_clock;
  auto last_save = Clock::now();
  for (int index : todo) {
    if (InterruptRequested()) {
      SaveProxyTable(out, table);
      ThrowIfInterrupted("simnas proxies --all");
    }
    const auto i = static_cast<std::size_t>(index);
    const Cell cell = space.CellAt(index);
    ProxyValues v;
    if (naswot_source && !std::isnan(naswot_source->naswot[i])) {
      v.naswot = naswot_source->naswot[i];
      for (int init = 0; init < options.inits; ++init) v.logsynflow += evaluator.LogSynflow(cell, init);
      v.logsynflow /= options.inits;
      v.skip = SkipScore(cell);
    } else {
      v = evaluator.Evaluate(cell);
    }
    table.naswot[i] = v.naswot;
    table.logsynflow[i] = v.logsynflow;
    table.skip[i] = v.skip;
    progress.Advance(1);
    if (std::chrono::duration<double>(Clock::now() - last_save).count() >= a.save_every) {
      SaveProxyTable(out, table);
      last_save = Clock::now();
    }
  }
  SaveProxyTable(out, table);
  progress.Finish();
  fmt::print(stderr, "wrote {} ({} cells{})\n", out.string(), total,
             shard.whole() ? "" : fmt::format(", shard {}/{}; merge the shards with simnas proxies --merge", shard.k,
                                              shard.n));
}

void RunMerge(const Args& a) {
  if (!a.out) throw ParseError("simnas proxies --merge needs --out FILE");
  std::optional<ProxyTable> merged;
  std::vector<int> source(kNumCells, -1);
  for (std::size_t f = 0; f < a.merge.size(); ++f) {
    const fs::path path = a.merge[f];
    // The dataset is read from the file itself.
    ProxyTable part = LoadPartialProxyTable(path, Dataset::kCifar10);
    const auto ds = part.provenance.find("dataset");
    if (ds == part.provenance.end()) throw DataError(fmt::format("{}: no '# dataset:' line", path.string()));
    part.dataset = ParseDataset(ds->second);
    if (!merged) {
      merged = EmptyTable(part.dataset);
      merged->provenance = part.provenance;
    }
    CheckSameIdentity(merged->provenance, part.provenance, path.string());
    for (int index = 0; index < kNumCells; ++index) {
      const auto i = static_cast<std::size_t>(index);
      if (!HasRow(part, index)) continue;
      if (HasRow(*merged, index) &&
          (merged->naswot[i] != part.naswot[i] || merged->logsynflow[i] != part.logsynflow[i] ||
           merged->skip[i] != part.skip[i])) {
        throw DataError(fmt::format("index {} differs between {} and {}", index, a.merge[static_cast<std::size_t>(source[i])],
                                    path.string()));
      }
      merged->naswot[i] = part.naswot[i];
      merged->logsynflow[i] = part.logsynflow[i];
      merged->skip[i] = part.skip[i];
      source[i] = static_cast<int>(f);
    }
  }
  int missing = 0, first_missing = -1;
  for (int index = 0; index < kNumCells; ++index) {
    if (!HasRow(*merged, index)) {
      if (missing++ == 0) first_missing = index;
    }
  }
  if (missing > 0) {
    throw DataError(fmt::format("the {} files leave {} cells missing (first: index {}); finish the shards first",
                                a.merge.size(), missing, first_missing));
  }
  merged->provenance.erase("shard");
  std::string command = merged->provenance["command"];
  if (const auto at = command.find(" --shard"); at != std::string::npos) {
    const auto end = command.find(' ', at + 8 + 1);
    command.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  merged->provenance["command"] = command;
  merged->provenance["merged"] = fmt::format("{} shard files, by simnas proxies --merge", a.merge.size());
  SaveProxyTable(*a.out, *merged);
  fmt::print(stderr, "wrote {} ({} cells from {} files)\n", *a.out, kNumCells, a.merge.size());
}

void RunReport(const Args& a, CliContext& ctx) {
  std::vector<std::pair<Dataset, fs::path>> tables;
  if (a.table) {
    tables.emplace_back(ParseDataset(a.dataset), *a.table);
  } else {
    for (Dataset d : kAllDatasets) {
      if (a.dataset_given && d != ParseDataset(a.dataset)) continue;
      if (fs::exists(DefaultProxyTablePath(d))) tables.emplace_back(d, DefaultProxyTablePath(d));
    }
  }
  if (tables.empty()) throw DataError("no proxy table to report on (generate one with simnas proxies --all)");
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [dataset, path] : tables) {
    const ProxyTable table = LoadProxyTable(path, dataset);
    const std::vector<double>& accuracy = ctx.Data().Accuracy(dataset).test_accuracy;
    const std::vector<double> freerea = ProxyScores(table, ProxyAggregate::kFreeRea).values();
    const std::vector<double> rank = ProxyScores(table, ProxyAggregate::kRank).values();
    nlohmann::json row = {{"dataset", std::string(DatasetName(dataset))}, {"table", path.string()}};
    const std::vector<std::pair<std::string, std::vector<double>>> columns = {
        {"naswot", FiniteForRanking(table.naswot)},
        {"logsynflow", table.logsynflow},
        {"skip", table.skip},
        {"freerea", freerea},
        {"rank", rank}};
    for (const auto& [name, values] : columns) {
      row["kendall_tau"][name] = KendallTau(values, accuracy);
      row["spearman"][name] = Spearman(values, accuracy);
    }
    int singular = 0;
    for (double x : table.naswot) singular += std::isfinite(x) ? 0 : 1;
    row["naswot_singular_cells"] = singular;
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
  auto* arch_opt = cmd->add_option("--arch", args->arch, "Score one architecture string");
  auto* index_opt = cmd->add_option("--index", args->index, "Score one NATS-Bench index")->check(CLI::Range(0, kNumCells - 1));
  auto* all_opt = cmd->add_flag("--all", args->all, "Score every cell into a table (resumable; see --shard, --out)");
  auto* merge_opt = cmd->add_option("--merge", args->merge, "Merge shard tables FILE... into --out");
  auto* report_opt =
      cmd->add_flag("--report", args->report, "Kendall tau / Spearman of each proxy and aggregate with test accuracy");
  for (CLI::Option* o : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
    for (CLI::Option* other : {arch_opt, index_opt, all_opt, merge_opt, report_opt}) {
      if (o != other) o->excludes(other);
    }
  }
  cmd->add_option("--dataset", args->dataset, "cifar10, cifar100 or ImageNet16-120 (default cifar10)")
      ->each([args](const std::string&) { args->dataset_given = true; });
  cmd->add_option("--seed", args->seed, "Seed of the network initializations (default 0)");
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
    if (args->arch || args->index) return RunOne(*args, ctx);
    throw ParseError("simnas proxies needs one of --arch STR, --index N, --all, --merge FILE..., --report");
  });
}

}  // namespace simnas::cli
