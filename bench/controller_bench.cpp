// Speed of controller training (issue 4). Target: >= 8,000 environment steps per second end
// to end (rollout + PPO updates) with the default settings on 2 cores.
//
//   SIMNAS_DATA=data build/bench/controller_bench
//
// BM_TrainEndToEnd runs `simnas train`'s loop (TrainController) for 4 PPO iterations of the
// default size (64 envs x 64 steps) and reports environment steps per second; the other
// benchmarks time its parts. Proxy scores: the committed table for CIFAR-100 when present,
// else made-up in-memory scores (speed does not depend on their values).
#include <filesystem>
#include <random>

#include <benchmark/benchmark.h>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/controller_runner.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/controller/synthetic_env.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "bench_support.h"
#include "simnas/space/space_data.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {
namespace {
namespace fs = std::filesystem;

struct Fixture {
  SpaceData data{Nb201Space(), DataDir(BenchDataDir())};
  ScoreTable proxy;
  SyntheticDistribution distribution{FitSyntheticDistribution(data, LutFitKind::kShared)};
  WalkTables tables;
  Fixture() {
    ProxyTable table;
    const fs::path shipped = ProxyTableFile(BenchShareDir() / "tables" / "proxies", Dataset::kCifar100);
    if (fs::exists(shipped)) {
      table = LoadProxyTable(shipped, Dataset::kCifar100);
    } else {
      std::mt19937_64 rng(1);
      std::normal_distribution<double> normal;
      for (int i = 0; i < kNumCells; ++i) {
        table.naswot.push_back(normal(rng));
        table.logsynflow.push_back(normal(rng));
        table.skip.push_back(normal(rng));
      }
    }
    proxy = ProxyScoreTable(table, ProxyAggregate::kFreeRea);
    tables = PrepareTrainingInputs(data, proxy, {}).tables;
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

// One environment step of 64 envs (observe + random valid action + step, resets included).
void BM_EnvStep64(benchmark::State& state) {
  Fixture& f = F();
  const EnvConfig config;
  SyntheticVecEnv env(config, f.tables, f.distribution, 64, 1);
  std::vector<float> obs(64 * static_cast<std::size_t>(env.observation_size()));
  const int n = f.tables.num_actions();
  std::vector<std::uint8_t> mask(64 * static_cast<std::size_t>(n)), dones(64);
  std::vector<float> rewards(64);
  std::vector<int> actions(64);
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    env.Observe(obs.data(), mask.data());
    for (int i = 0; i < 64; ++i) {
      int a;
      do {
        a = static_cast<int>(rng() % static_cast<unsigned>(n));
      } while (!mask[static_cast<std::size_t>(i * n + a)]);
      actions[static_cast<std::size_t>(i)] = a;
    }
    env.Step(actions.data(), rewards.data(), dones.data());
    env.TakeFinished();
  }
  state.counters["env_steps_per_s"] = benchmark::Counter(64.0 * static_cast<double>(state.iterations()),
                                                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnvStep64)->Unit(benchmark::kMicrosecond);

// The whole training loop; argument: torch threads.
void BM_TrainEndToEnd(benchmark::State& state) {
  Fixture& f = F();
  const fs::path out = fs::temp_directory_path() / "simnas-controller-bench";
  double steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(out);
    TrainOptions options;
    options.ppo.total_steps = 4 * 64 * 64;
    options.ppo.threads = static_cast<int>(state.range(0));
    options.out = out;
    options.progress = false;
    options.plot = false;
    state.ResumeTiming();
    const TrainResult r = TrainController(options, f.tables, f.distribution);
    steps += static_cast<double>(r.steps);
  }
  fs::remove_all(out);
  state.counters["env_steps_per_s"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainEndToEnd)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// Deployment: one controller search of 10 probes on a synthetic device (no torch).
void BM_DeploySearch(benchmark::State& state) {
  Fixture& f = F();
  ControllerModel model;
  const int d = ObservationSize(model.env, f.tables.num_actions());
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  for (auto [in, out] : {std::pair{d, 128}, std::pair{128, 128}, std::pair{128, f.tables.num_actions()}}) {
    DenseLayer l;
    l.in = in;
    l.out = out;
    for (int i = 0; i < in * out; ++i) l.weight.push_back(normal(rng));
    l.bias.assign(static_cast<std::size_t>(out), 0.0f);
    model.layers.push_back(l);
  }
  std::mt19937_64 device_rng(4);
  const SyntheticLut device = f.distribution.SampleDevice(device_rng, SyntheticOptions::Paper());
  struct Oracle : LatencyOracle {
    const SyntheticLut* d;
    double Probe(const Arch& a) override { return d->Latency(a); }
  } oracle;
  oracle.d = &device;
  RunOptions options;
  options.budget_ms = device.Latency(f.tables.ArchOf(f.tables.by_proxy[500]));
  std::uint64_t seed = 0;
  for (auto _ : state) {
    options.seed = seed++;
    benchmark::DoNotOptimize(RunController(model, f.tables, oracle, options).probes_used());
  }
}
BENCHMARK(BM_DeploySearch)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace simnas

BENCHMARK_MAIN();
