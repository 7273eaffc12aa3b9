// Speed of the training-free proxies (issue 3). Target: one full p_FreeREA (NASWOT on 64
// images + LogSynflow + SkipScore) in <= 150 ms median on 2 cores, over >= 30 random cells.
//
// Each repetition scores the next cell of a fixed random list (seed 2024), so the reported
// median is the median over cells. The parts (each including the network's construction and
// FreeREA initialization) are timed the same way. Argument: threads. BM_FreeRea with 2
// threads runs LogSynflow and NASWOT side by side on one thread each (the default);
// BM_FreeReaIntraOp runs them in turn, each on both threads.
//
//   SIMNAS_DATA=data build/bench/proxies_bench --benchmark_filter=FreeRea
//   SIMNAS_DATA=data build/bench/proxies_bench --benchmark_filter='BM_Zoo.*/1$' 
//
// Cost of each score column and recipe (BM_ScoreCost/<name>): one thread, one cell per
// repetition over the same kCells cells (median and mean over cells), network construction and
// initialization included, only what that column or recipe needs (the zoo through
// ProxyEvaluator::Zoo(cell, mask), zoo.h "Contract of a subset"). Columns: naswot
// (Naswot(cell, 0, 0)), logsynflow (LogSynflow(cell, 0)), skip (SkipScore), and each of the 12
// zoo proxies alone. Recipes: the NAS-Bench-201 ones of configs/aggregates.json (freerea, rank,
// az_nas, meco_only, az_nas_skip, freerea_meco; their parts copied in kScoreCosts below), each
// as the union of its parts: with both naswot and logsynflow, one Evaluate (one network; the
// recipe's zoo proxies, if any, on it); otherwise Naswot or LogSynflow on their own network, the
// zoo subset on another (SkipScore is free). One evaluator per benchmark, warmed up on the first
// cell, not timed. About 4 minutes in all:
//   SIMNAS_DATA=data build/bench/proxies_bench --benchmark_filter=ScoreCost
//   SIMNAS_DATA=data build/bench/proxies_bench --benchmark_filter='ScoreCost/(az_nas|meco)$'
//
// FBNet (issue 14): BM_FbnetProxies scores the first kFbnetNetworks of HELP's 5,000 FBNet
// networks in turn (NASWOT + LogSynflow + params/FLOPs, each repetition the next network), on
// one thread; BM_FbnetNaswot and BM_FbnetLogSynflow time the parts, BM_FbnetZoo the zoo.
//   SIMNAS_DATA=data build/bench/proxies_bench --benchmark_filter=Fbnet --benchmark_repetitions=1
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "simnas/data/data_dir.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/proxies/proxies.h"

namespace simnas {
namespace {

constexpr int kCells = 40;

const std::vector<Cell>& Cells() {
  static const std::vector<Cell> cells = [] {
    std::mt19937_64 rng(2024);
    std::vector<Cell> v;
    for (int i = 0; i < kCells; ++i) v.push_back(RandomCell(rng));
    return v;
  }();
  return cells;
}

std::unique_ptr<ProxyEvaluator> MakeEvaluator(int threads, Dataset dataset, bool split_threads, bool zoo,
                                              int zoo_images) {
  ProxyOptions options;
  options.zoo = zoo;
  options.zoo_images = zoo_images;
  options.threads = threads;
  options.split_threads = split_threads;
  options.dataset = dataset;
  auto e = std::make_unique<ProxyEvaluator>(DataDir(BenchDataDir()).CifarSampleFile(), options);
  e->Evaluate(Cells()[0]);  // warm-up: oneDNN primitives, allocator
  return e;
}

// `next`: the benchmark's own cell counter, so that its repetitions walk through the list.
template <typename F>
void PerCell(benchmark::State& state, Dataset dataset, int& next, F score, bool split_threads = true,
             bool zoo = false) {
  // One evaluator per repetition: (re)sets the thread count; not timed.
  const std::unique_ptr<ProxyEvaluator> evaluator = MakeEvaluator(static_cast<int>(state.range(0)), dataset, split_threads, zoo,
                    zoo && state.range(1) > 0 ? static_cast<int>(state.range(1)) : ProxyOptions{}.zoo_images);
  for (auto _ : state) {
    const Cell& cell = Cells()[static_cast<std::size_t>(next++ % kCells)];
    benchmark::DoNotOptimize(score(*evaluator, cell));
  }
}

void BM_FreeRea(benchmark::State& state) {
  static int next = 0;
  PerCell(state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.Evaluate(c).naswot; });
}
// Both proxies on all threads one after the other (ProxyOptions::split_threads = false).
void BM_FreeReaIntraOp(benchmark::State& state) {
  static int next = 0;
  PerCell(
      state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.Evaluate(c).naswot; }, false);
}
void BM_Naswot(benchmark::State& state) {
  static int next = 0;
  PerCell(state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.Naswot(c, 0, 0); });
}
void BM_LogSynflow(benchmark::State& state) {
  static int next = 0;
  PerCell(state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.LogSynflow(c, 0); });
}
void BM_SkipScore(benchmark::State& state) {
  static int next = 0;
  PerCell(state, Dataset::kCifar10, next, [](ProxyEvaluator&, const Cell& c) { return SkipScore(c); });
}
void BM_FreeReaImageNet16(benchmark::State& state) {
  static int next = 0;
  PerCell(state, Dataset::kImageNet16_120, next, [](ProxyEvaluator& e, const Cell& c) { return e.Evaluate(c).naswot; });
}
// The proxy zoo (zoo.h) of one cell: network built and initialized, SynFlow's backward, the two
// mini-batches of 16 images with the shared forward, params and FLOPs (issue 11: <= 300 ms
// median on one thread). BM_ZooWithFreeRea: the zoo and FreeREA's proxies together, as
// `simnas proxies --all` computes a v2 table row.
void BM_Zoo(benchmark::State& state) {
  static int next = 0;
  PerCell(
      state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.Zoo(c)["meco"]; }, true, true);
}
void BM_ZooImageNet16(benchmark::State& state) {
  static int next = 0;
  PerCell(
      state, Dataset::kImageNet16_120, next, [](ProxyEvaluator& e, const Cell& c) { return e.Zoo(c)["meco"]; }, true,
      true);
}
void BM_ZooWithFreeRea(benchmark::State& state) {
  static int next = 0;
  PerCell(
      state, Dataset::kCifar10, next, [](ProxyEvaluator& e, const Cell& c) { return e.Evaluate(c).naswot; }, true,
      true);
}

// One cell per repetition; aggregates (median, mean, stddev) over kCells repetitions.
void PerCellArgs(benchmark::internal::Benchmark* b) {
  b->Arg(2)->Arg(1)->Iterations(1)->Repetitions(kCells)->ReportAggregatesOnly(true)->UseRealTime()->Unit(
      benchmark::kMillisecond);
}

BENCHMARK(BM_FreeRea)->Apply(PerCellArgs);
BENCHMARK(BM_FreeReaIntraOp)->Apply(PerCellArgs);
BENCHMARK(BM_Naswot)->Apply(PerCellArgs);
BENCHMARK(BM_LogSynflow)->Apply(PerCellArgs);
BENCHMARK(BM_SkipScore)->Apply(PerCellArgs);
BENCHMARK(BM_FreeReaImageNet16)->Apply(PerCellArgs);
// Arguments of the zoo: threads, images per mini-batch (the tables use the default).
void ZooArgs(benchmark::internal::Benchmark* b) {
  b->Args({1, ProxyOptions{}.zoo_images})->Args({2, ProxyOptions{}.zoo_images})->Args({1, 8});
  b->Iterations(1)->Repetitions(kCells)->ReportAggregatesOnly(true)->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Zoo)->Apply(ZooArgs);
BENCHMARK(BM_ZooImageNet16)->Apply(ZooArgs);
BENCHMARK(BM_ZooWithFreeRea)->Apply(ZooArgs);

// ---- Cost per score column and per recipe ----

struct ScoreCost {
  std::string name;
  std::vector<std::string_view> parts;  // proxy-table columns
};

// The NAS-Bench-201 recipes of configs/aggregates.json (their "proxies"), after the columns.
std::vector<ScoreCost> ScoreCosts() {
  std::vector<ScoreCost> costs = {{"naswot", {"naswot"}}, {"logsynflow", {"logsynflow"}}, {"skip", {"skip"}}};
  for (std::string_view name : kZooProxyNames) costs.push_back({std::string(name), {name}});
  const std::vector<ScoreCost> recipes = {
      {"freerea", {"naswot", "logsynflow", "skip"}},
      {"rank", {"naswot", "logsynflow", "skip"}},
      {"az_nas", {"az_expressivity", "az_progressivity", "az_trainability", "az_complexity"}},
      {"meco_only", {"meco"}},
      {"az_nas_skip", {"az_expressivity", "az_progressivity", "az_trainability", "az_complexity", "skip"}},
      {"freerea_meco", {"meco", "logsynflow", "skip"}},
  };
  costs.insert(costs.end(), recipes.begin(), recipes.end());
  return costs;
}

// What one cell of `cost` computes: the union of its parts, each pass at most once where the
// evaluator shares it.
class ScoreCostRun {
 public:
  explicit ScoreCostRun(const ScoreCost& cost) {
    for (std::string_view part : cost.parts) {
      if (part == "naswot") {
        naswot_ = true;
      } else if (part == "logsynflow") {
        logsynflow_ = true;
      } else if (part == "skip") {
        skip_ = true;
      } else {
        zoo_ = static_cast<ZooMask>(zoo_ | ZooMaskOf(part));
      }
    }
    ProxyOptions options;
    options.threads = 1;
    options.zoo = zoo_ != kNoZooProxies;
    options.zoo_proxies = zoo_;
    evaluator_ = std::make_unique<ProxyEvaluator>(DataDir(BenchDataDir()).CifarSampleFile(), options);
    benchmark::DoNotOptimize(Score(Cells()[0]));  // warm-up: oneDNN primitives, allocator
  }

  double Score(const Cell& cell) {
    double sum = 0;
    if (naswot_ && logsynflow_) {
      const ProxyValues v = evaluator_->Evaluate(cell);  // one network; skip and the zoo subset with it
      sum += v.naswot + v.logsynflow + v.skip;
      if (v.zoo) sum += ZooSum(*v.zoo);
      return sum;
    }
    if (naswot_) sum += evaluator_->Naswot(cell, 0, 0);
    if (logsynflow_) sum += evaluator_->LogSynflow(cell, 0);
    if (zoo_ != kNoZooProxies) sum += ZooSum(evaluator_->Zoo(cell, zoo_));
    if (skip_) sum += SkipScore(cell);
    return sum;
  }

 private:
  double ZooSum(const ZooValues& z) const {
    double sum = 0;
    for (int i = 0; i < kZooProxies; ++i) {
      if ((zoo_ & ZooBit(i)) != 0) sum += z.values[static_cast<std::size_t>(i)];
    }
    return sum;
  }

  bool naswot_ = false, logsynflow_ = false, skip_ = false;
  ZooMask zoo_ = kNoZooProxies;
  std::unique_ptr<ProxyEvaluator> evaluator_;
};

[[maybe_unused]] const bool kScoreCostsRegistered = [] {
  for (const ScoreCost& cost : ScoreCosts()) {
    // One run (evaluator) for the benchmark's kCells repetitions, made at the first one.
    auto run = std::make_shared<std::unique_ptr<ScoreCostRun>>();
    auto next = std::make_shared<int>(0);
    benchmark::RegisterBenchmark(("BM_ScoreCost/" + cost.name).c_str(), [cost, run, next](benchmark::State& state) {
      if (!*run) *run = std::make_unique<ScoreCostRun>(cost);
      for (auto _ : state) {
        const Cell& cell = Cells()[static_cast<std::size_t>((*next)++ % kCells)];
        benchmark::DoNotOptimize((*run)->Score(cell));
      }
      if (*next % kCells == 0) run->reset();
    })
        ->Iterations(1)
        ->Repetitions(kCells)
        ->ReportAggregatesOnly(true)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

// ---- FBNet ----

constexpr int kFbnetNetworks = 8;

const std::vector<Arch>& HelpFbnetArchs() {
  static const std::vector<Arch> archs = [] {
    std::vector<Arch> out;
    for (const FbnetArch& a : LoadFbnetArchs(FbnetArchFile(DataDir(BenchDataDir())))) {
      if (out.size() < static_cast<std::size_t>(kFbnetNetworks)) out.push_back(ToArch(a));
    }
    return out;
  }();
  return archs;
}

template <typename F>
void PerFbnetNetwork(benchmark::State& state, F score) {
  DescribedProxyOptions options;
  options.threads = static_cast<int>(state.range(0));
  DescribedProxyEvaluator evaluator(FbnetSpace(), DataDir(BenchDataDir()).CifarSampleFile(), options);
  evaluator.Evaluate(HelpFbnetArchs()[0]);  // warm-up: oneDNN primitives, allocator
  std::size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(score(evaluator, HelpFbnetArchs()[next++ % HelpFbnetArchs().size()]));
}

void BM_FbnetProxies(benchmark::State& state) {
  PerFbnetNetwork(state, [](DescribedProxyEvaluator& e, const Arch& a) { return e.Evaluate(a).logsynflow; });
}
void BM_FbnetNaswot(benchmark::State& state) {
  PerFbnetNetwork(state, [](DescribedProxyEvaluator& e, const Arch& a) { return e.Naswot(a); });
}
void BM_FbnetLogSynflow(benchmark::State& state) {
  PerFbnetNetwork(state, [](DescribedProxyEvaluator& e, const Arch& a) { return e.LogSynflow(a); });
}
// The zoo (described_proxies.h) of a network, all 12 proxies (synflow's LogSynflow backward included).
void BM_FbnetZoo(benchmark::State& state) {
  PerFbnetNetwork(state, [](DescribedProxyEvaluator& e, const Arch& a) { return e.Zoo(a)["meco"]; });
}
// One thread (what the table is computed with); each iteration one network, kFbnetNetworks of them.
BENCHMARK(BM_FbnetProxies)->Arg(1)->Iterations(kFbnetNetworks)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FbnetNaswot)->Arg(1)->Iterations(kFbnetNetworks)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FbnetLogSynflow)->Arg(1)->Iterations(kFbnetNetworks)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FbnetZoo)->Arg(1)->Iterations(kFbnetNetworks)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace simnas

BENCHMARK_MAIN();
