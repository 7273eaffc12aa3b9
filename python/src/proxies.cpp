// Training-free proxies: of one architecture (proxies/proxies.h, proxies/described_proxies.h),
// computed by the LibTorch plugin on the data folder's CIFAR-10 sample; of a whole space, read
// from a proxy table (proxies/proxy_table.h, proxies/proxy_table_builder.h) as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "bindings.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/parallel/cluster.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_table_builder.h"
#include "simnas/proxies/zoo.h"
#include "simnas/space/registry.h"

namespace simnas::python {
namespace {

py::dict ZooDict(const ZooValues& zoo) {
  py::dict d;
  for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
    if (std::isnan(zoo.values[i])) continue;  // not asked
    d[py::str(std::string(kZooProxyNames[i]))] = zoo.values[i];
  }
  return d;
}

py::array_t<double> Array(const std::vector<double>& values) {
  py::array_t<double> a(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), a.mutable_data());
  return a;
}

py::dict ZooArrays(const std::map<std::string, std::vector<double>>& zoo) {
  py::dict d;
  for (const std::string_view name : kZooProxyNames) {  // the zoo's order, as the files have it
    if (const auto it = zoo.find(std::string(name)); it != zoo.end()) d[py::str(it->first)] = Array(it->second);
  }
  return d;
}

// The recipe's score of every row of a table: what a search ranks by (ProxyScores) for a complete
// table; for a partial one (a sample, a shard) the recipe over the rows it has, NaN elsewhere (all
// NaN with fewer than two rows).
std::vector<double> RecipeScores(const ProxyTable& table, const ProxyAggregate& recipe) {
  for (const std::string& proxy : recipe.proxies) {
    if (table.Column(proxy) == nullptr) {
      throw DataError(fmt::format("aggregate '{}' needs proxy '{}', which the proxy table {} does not have",
                                  recipe.name, proxy, table.source.empty() ? "(in memory)" : table.source));
    }
  }
  if (table.Filled() == static_cast<std::int64_t>(table.size())) return ProxyScores(table, recipe).values();
  for (ReportedScore& s : ReportedScores(table, {recipe})) {
    if (s.aggregate && s.name == recipe.name) return std::move(s.score);
  }
  return std::vector<double>(table.size(), std::numeric_limits<double>::quiet_NaN());
}

// What proxy_table computes before reading: one shard of the space, as `simnas proxies --all
// --shard k/n` does.
struct SampleJob {
  ProxyShard shard;
  std::uint64_t seed = 0;
  bool zoo = true;
  int threads = 0;
};

// Where a computed sample is kept unless a path is given: the cache folder, one file per space,
// dataset, seed, zoo and shard (so that a file is resumed only by the same job).
std::filesystem::path SampleFile(const Space& space, Dataset dataset, const SampleJob& job) {
  return Ws().Env().cache_dir / "proxy-tables" / std::string(space.name()) /
         fmt::format("{}-seed{}-{}.shard-{}-of-{}.csv", DatasetName(dataset), job.seed, job.zoo ? "zoo" : "freerea",
                     job.shard.k, job.shard.n);
}

// Computes the cells of the job's shard not yet in `out` (resuming it), with the LibTorch
// plugin, on the data folder's CIFAR-10 sample.
void ComputeSample(Dataset dataset, const SampleJob& sample, const std::filesystem::path& out) {
  ProxyTableJob job;
  job.dataset = dataset;
  job.options.dataset = dataset;
  job.options.seed = sample.seed;
  job.options.threads = sample.threads;
  job.options.zoo = sample.zoo;
  job.shard = sample.shard;
  job.out = out;
  job.tables_dir = Ws().Env().proxy_tables_dir;
  std::error_code ignored;  // a folder that cannot be made: writing the table says so, naming the file
  std::filesystem::create_directories(out.parent_path(), ignored);
  const SpaceData& data = Ws().DataOf(DefaultSpace());
  const std::unique_ptr<Cluster> cluster = SingleProcessCluster();
  BuildProxyTable(job, data.dir().CifarSampleFile(), data.Numbering(), *cluster);
}

py::dict ProxyTableDict(const Space& space, Dataset dataset, const std::optional<std::filesystem::path>& path,
                        const std::optional<std::string>& aggregate, const std::optional<SampleJob>& sample) {
  std::filesystem::path file;
  ProxyTable table;
  ProxyAggregate recipe;
  std::vector<double> score;
  Released([&] {
    const CandidateSet& candidates = Ws().Numbering(space);
    if (sample) {
      file = path.value_or(SampleFile(space, dataset, *sample));
      ComputeSample(dataset, *sample, file);
    } else {
      file = path.value_or(ProxyTableFile(Ws().Env().proxy_tables_dir, space, dataset));
    }
    table = LoadPartialProxyTable(file, candidates, dataset);
    const std::filesystem::path configs = Ws().Env().configs_dir;
    recipe = ParseProxyAggregate(aggregate.value_or(DefaultProxyAggregateName(configs, space)), configs);
    score = RecipeScores(table, recipe);
    return 0;
  });
  py::dict d;
  d["naswot"] = Array(table.naswot);
  d["logsynflow"] = Array(table.logsynflow);
  if (!table.skip.empty()) d["skip"] = Array(table.skip);
  for (const char* size : {"params", "flops"}) {
    if (const std::vector<double>* column = table.Column(size)) d[size] = Array(*column);
  }
  d["zoo"] = ZooArrays(table.zoo);
  d["score"] = Array(score);
  d["aggregate"] = recipe.name;
  d["dataset"] = std::string(DatasetName(dataset));
  d["space"] = std::string(space.name());
  d["file"] = file.string();
  return d;
}

}  // namespace

void BindProxies(py::module_& m) {
  m.def(
      "proxies",
      [](const Arch& arch, const std::string& dataset, std::uint64_t seed, int inits, int batches, bool zoo,
         int threads) {
        py::dict d;
        const std::filesystem::path sample = Ws().Env().data_dir / "cifar10-sample" / "cifar10_sample_640.bin";
        if (arch.space().FastProxyEntry().empty()) {
          DescribedProxyOptions options;
          options.dataset = ParseDataset(dataset);
          options.seed = seed;
          options.threads = threads;
          options.zoo = zoo ? kAllZooProxies : kNoZooProxies;
          const DescribedProxyValues v =
              Released([&] { return DescribedProxyEvaluator(arch.space(), sample, options).Evaluate(arch); });
          d["naswot"] = v.naswot;
          d["logsynflow"] = v.logsynflow;
          d["params"] = v.params;
          d["flops"] = v.flops;
          if (v.zoo) d["zoo"] = ZooDict(*v.zoo);
          return d;
        }
        ProxyOptions options;
        options.dataset = ParseDataset(dataset);
        options.seed = seed;
        options.inits = inits;
        options.batches = batches;
        options.threads = threads;
        options.zoo = zoo;
        const ProxyValues v = Released([&] { return ProxyEvaluator(sample, options).Evaluate(CellOf(arch)); });
        d["naswot"] = v.naswot;
        d["logsynflow"] = v.logsynflow;
        d["skip"] = v.skip;
        if (v.zoo) d["zoo"] = ZooDict(*v.zoo);
        return d;
      },
      py::arg("arch"), py::kw_only(), py::arg("dataset") = "cifar10", py::arg("seed") = 0, py::arg("inits") = 1,
      py::arg("batches") = 1, py::arg("zoo") = false, py::arg("threads") = 0,
      R"doc(The training-free proxies of one architecture, as `simnas proxies --arch` computes them
(networks initialized from `seed`, averaged over `inits` initializations and `batches` batches of
64 images of the data folder's CIFAR-10 sample; `dataset` sets the classifier and input size;
FBNet: cifar100 only). Returns a dict: naswot, logsynflow and skip (a cell) or params and flops
(an FBNet network), and with zoo=True the zoo's proxies (meco, zico, synflow, ...).)doc");

  m.def(
      "proxy_table",
      [](const std::string& dataset, const std::string& space, std::optional<std::filesystem::path> path,
         std::optional<std::string> aggregate, std::optional<std::string> shard, std::optional<std::uint64_t> seed,
         std::optional<bool> zoo, std::optional<int> threads) {
        const Space& kind = SpaceOf(space);
        const Dataset d = ParseDataset(dataset);
        std::optional<SampleJob> sample;
        if (shard) {
          if (&kind != &DefaultSpace()) {
            throw ParseError(fmt::format("proxy_table: shard= computes {} cells only (the {} space's table: simnas "
                                         "--space {} proxies --all)",
                                         DefaultSpace().name(), kind.name(), kind.name()));
          }
          sample = SampleJob{ParseProxyShard(*shard), seed.value_or(0), zoo.value_or(true), threads.value_or(0)};
          if (sample->threads < 0) throw ParseError(fmt::format("threads {}: expected 0 or more", sample->threads));
        } else if (seed || zoo || threads) {
          throw ParseError("proxy_table: seed=, zoo= and threads= set how a shard is computed; they need shard='k/n'");
        }
        const std::vector<Dataset> datasets = kind.Datasets();
        if (std::find(datasets.begin(), datasets.end(), d) == datasets.end()) {
          throw ParseError(fmt::format("proxy_table: {} networks are scored for {} only", kind.name(),
                                       DatasetName(datasets.front())));
        }
        return ProxyTableDict(kind, d, path, aggregate, sample);
      },
      py::arg("dataset") = "cifar100", py::kw_only(), py::arg("space") = "nb201", py::arg("path") = py::none(),
      py::arg("aggregate") = py::none(), py::arg("shard") = py::none(), py::arg("seed") = py::none(),
      py::arg("zoo") = py::none(), py::arg("threads") = py::none(),
      R"doc(The proxies of every architecture of a space as numpy arrays by index (NATS-Bench
index; FBNet: HELP's 5,000 in order), so that table["score"][i] belongs to
simnas.arch(i, space=space).

Read from a proxy table: the shipped one of `dataset` (environment()["proxy_tables"]; FBNet:
cifar100 only), or the file `path` (a table written by `simnas proxies --all`, possibly
partial: a sample or a shard, whose missing rows are NaN).

Or computed, for a sample of NAS-Bench-201: shard="k/n" scores the cells i with
i % n == k - 1 (as `simnas proxies --all --shard k/n`; networks initialized from `seed`,
default 0; zoo=False: FreeREA's three proxies only, default True: the zoo too; `threads`:
intra-op threads, default all cores) with the LibTorch plugin on the data folder's CIFAR-10
sample, into `path` (default: a file under the cache folder named by dataset, seed, zoo and
shard), resuming the cells that file already holds; Ctrl-C stops it with the cells so far
kept. The other rows are NaN.

Returns a dict: naswot, logsynflow and skip (a space with a fast proxy path: nb201) or params and flops (fbnet, ofa-mbv3); zoo (a dict
of the zoo's columns the table has); score (the recipe `aggregate` of configs/aggregates.json,
default the one simnas.search ranks by: for a complete table exactly the search's score; a
partial table's rows are normalized among themselves); and aggregate, dataset, space, file
(what was read). -inf: a proxy undefined for that network (e.g. a singular NASWOT kernel).
Raises DataError for a missing or malformed table, or a recipe needing a column the table
lacks (the default recipe needs the zoo); ParseError for an unknown recipe, dataset or shard.)doc");
}

}  // namespace simnas::python
