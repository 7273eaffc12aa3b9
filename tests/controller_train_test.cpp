// The controller model file (round trip, corruption named), PPO training with tiny settings
// (same seed, same weights; a resumed run equals an uninterrupted one; the exported policy
// computes what the torch network computes; corrupt checkpoints are named), and the
// `controller` strategy's probe budget on table, synthetic and command devices.
#include <gtest/gtest.h>

#include <fstream>

#include "controller_test_support.h"
#include "simnas/controller/controller_runner.h"
#include "simnas/controller/episode.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/table_device.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/controller/controller_model.h"
#include <algorithm>

namespace simnas {
namespace {

using testing::ControllerFakeProxy;
using testing::ControllerFits;
using testing::ControllerTables;
using testing::Data;

TEST(ControllerModel, RoundTripsAndNamesACorruptFile) {
  testing::TempDir dir;
  const ControllerModel m = testing::RandomControllerModel(EnvConfig{}, 3);
  SaveControllerModel(dir / "c.ctl", m);
  const ControllerModel back = LoadControllerModel(dir / "c.ctl");
  std::vector<float> obs(static_cast<std::size_t>(m.observation_size()), 0.25f);
  std::array<float, testing::kWalkActions> l1{}, l2{};
  m.Logits(obs.data(), l1.data());
  back.Logits(obs.data(), l2.data());
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(back.env.synthetic, m.env.synthetic);
  EXPECT_EQ(back.provenance["command"], "test");
  // Flip one byte in the weights.
  std::string bytes = ReadFile(dir / "c.ctl");
  bytes[bytes.size() / 2] ^= 0x40;
  WriteFileAtomically(dir / "bad.ctl", bytes);
  try {
    LoadControllerModel(dir / "bad.ctl");
    FAIL() << "a corrupt model loaded";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "bad.ctl").string()), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos);
  }
  WriteFileAtomically(dir / "short.ctl", bytes.substr(0, 40));
  EXPECT_THROW(LoadControllerModel(dir / "short.ctl"), DataError);
  EXPECT_THROW(LoadControllerModel(dir / "missing.ctl"), DataError);
}

TrainOptions Tiny(const std::filesystem::path& out, std::int64_t steps) {
  TrainOptions o;
  o.out = out;
  o.seed = 9;
  o.ppo.total_steps = steps;
  o.ppo.num_envs = 8;
  o.ppo.rollout = 16;
  o.ppo.minibatch = 64;
  o.ppo.epochs = 2;
  o.ppo.hidden = 16;
  o.progress = false;
  o.plot = false;
  return o;
}

std::vector<float> Weights(const std::filesystem::path& model) {
  std::vector<float> w;
  for (const DenseLayer& l : LoadControllerModel(model).layers) {
    w.insert(w.end(), l.weight.begin(), l.weight.end());
    w.insert(w.end(), l.bias.begin(), l.bias.end());
  }
  return w;
}

TEST(ControllerTraining, SameSeedSameWeightsAndResumeContinuesExactly) {
  testing::TempDir dir;
  const std::int64_t three = 3 * 8 * 16;
  TrainController(Tiny(dir / "a", three), ControllerTables(), ControllerFits().distribution);
  TrainController(Tiny(dir / "b", three), ControllerTables(), ControllerFits().distribution);
  const std::vector<float> a = Weights(dir / "a" / "controller.ctl");
  EXPECT_EQ(a, Weights(dir / "b" / "controller.ctl"));
  // One iteration, then resumed to three: the same weights as three in a row.
  TrainController(Tiny(dir / "c", 8 * 16), ControllerTables(), ControllerFits().distribution);
  EXPECT_NE(a, Weights(dir / "c" / "controller.ctl"));
  EXPECT_THROW(TrainController(Tiny(dir / "c", three), ControllerTables(), ControllerFits().distribution), Error);
  TrainOptions resume = Tiny(dir / "c", three);
  resume.resume = true;
  const TrainResult r = TrainController(resume, ControllerTables(), ControllerFits().distribution);
  EXPECT_EQ(r.steps, three);
  EXPECT_EQ(a, Weights(dir / "c" / "controller.ctl"));
  // The log has one row per iteration, across the resume.
  EXPECT_EQ(testing::CountLines(ReadFile(dir / "c" / "train_log.csv")), 1 + 3);
  // The exported policy computes the torch network's logits.
  const ControllerModel model = LoadControllerModel(dir / "c" / "controller.ctl");
  std::vector<float> obs(static_cast<std::size_t>(model.observation_size()));
  for (std::size_t i = 0; i < obs.size(); ++i) obs[i] = static_cast<float>(std::sin(static_cast<double>(i)));
  const std::vector<float> torch_logits = CheckpointPolicyLogits(dir / "c" / "checkpoint.ckpt", obs, testing::kWalkActions);
  std::array<float, testing::kWalkActions> plain{};
  model.Logits(obs.data(), plain.data());
  ASSERT_EQ(torch_logits.size(), plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_NEAR(plain[i], torch_logits[i], 1e-4);
}

TEST(ControllerTraining, ACorruptCheckpointIsNamedInOneLine) {
  testing::TempDir dir;
  TrainController(Tiny(dir / "run", 8 * 16), ControllerTables(), ControllerFits().distribution);
  std::string bytes = ReadFile(dir / "run" / "checkpoint.ckpt");
  bytes[bytes.size() / 3] ^= 0x01;
  WriteFileAtomically(dir / "run" / "checkpoint.ckpt", bytes);
  TrainOptions resume = Tiny(dir / "run", 2 * 8 * 16);
  resume.resume = true;
  try {
    TrainController(resume, ControllerTables(), ControllerFits().distribution);
    FAIL() << "a corrupt checkpoint was resumed";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find((dir / "run" / "checkpoint.ckpt").string()), std::string::npos) << what;
    EXPECT_NE(what.find("corrupt"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

// The controller strategy with a random-weight model: it must respect the probe budget,
// be deterministic per seed and work on every device kind.
struct StrategyFixture {
  testing::TempDir dir;
  std::filesystem::path budget_model = dir / "budget.ctl";
  std::filesystem::path paper_model = dir / "paper.ctl";
  StrategyFixture() {
    SaveControllerModel(budget_model, testing::RandomControllerModel(EnvConfig{}, 1));
    SaveControllerModel(paper_model, testing::RandomControllerModel(EnvConfig::Paper(), 2));
  }
};

SearchReport Search(ControllerStrategy& s, Device& device, std::optional<double> budget, int probes,
                    std::uint64_t seed) {
  SearchTask task;
  task.latency_budget_ms = budget;
  task.seed = seed;
  const auto setup = testing::Setup(Data(), ControllerFakeProxy(), device);
  return RunSearch(s, device, task, probes, setup->context(), nullptr, "");
}

TEST(ControllerStrategy, NeverExceedsTheProbeBudgetOnTableSyntheticAndCommandDevices) {
  StrategyFixture f;
  ControllerStrategy strategy(f.budget_model, f.paper_model);
  TableDevice table("table:pixel3", Data().DeviceTable("pixel3"), Data().space());
  const DeviceEnvironment env = testing::Nb201Devices(Data(), std::nullopt);
  auto synthetic = OpenDevice("synthetic:4", env);
  const auto script = testing::WriteScript(f.dir / "dev.sh", "echo 3.5");
  auto command = OpenDevice("cmd:'" + script.string() + "' {arch}", env);
  for (Device* device : {static_cast<Device*>(&table), synthetic.get(), command.get()}) {
    for (int probes : {1, 3, 10}) {
      for (std::optional<double> budget : {std::optional<double>(20.0), std::optional<double>()}) {
        if (device == command.get() && probes == 10) continue;  // keep the test fast
        const SearchReport r = Search(strategy, *device, budget, probes, 7);
        EXPECT_GE(r.probes_used, 1);
        EXPECT_LE(r.probes_used, probes) << device->Spec();
        if (device != command.get()) {
          const SearchReport again = Search(strategy, *device, budget, probes, 7);
          ASSERT_EQ(again.trajectory.size(), r.trajectory.size());
          for (std::size_t i = 0; i < r.trajectory.size(); ++i) {
            EXPECT_EQ(again.trajectory[i].index, r.trajectory[i].index);
          }
        }
      }
    }
  }
  ControllerStrategy missing(f.dir / "nope.ctl", f.paper_model);
  EXPECT_THROW(Search(missing, table, 10.0, 5, 0), DataError);
  // A model trained for the paper reward cannot serve a budget, and vice versa.
  ControllerStrategy swapped(f.paper_model, f.budget_model);
  EXPECT_THROW(Search(swapped, table, 10.0, 5, 0), DataError);
  EXPECT_THROW(Search(swapped, table, std::nullopt, 5, 0), DataError);
}

TEST(ControllerRunner, StartCellsFollowTheModelsSettings) {
  EnvConfig env;
  std::mt19937_64 rng(1);
  env.start = StartKind::kBestProxy;
  EXPECT_EQ(ControllerStartCode(env, ControllerTables(), rng), ControllerTables().by_proxy.front());
  env.start = StartKind::kTopK;
  env.top_k = 5;
  for (int i = 0; i < 20; ++i) {
    const int code = ControllerStartCode(env, ControllerTables(), rng);
    const auto& top = ControllerTables().by_proxy;
    EXPECT_NE(std::find(top.begin(), top.begin() + 5, code), top.begin() + 5);
  }
}

}  // namespace
}  // namespace simnas

namespace simnas {
namespace {

// The committed controllers (models/controller/, trained by the commands in its README) load
// with this build's observation layout and, on a held-out test device with the committed
// CIFAR-100 proxy table, answer a median budget with a measured-feasible cell in 10 probes.
TEST(CommittedControllers, LoadAndAnswerAHeldOutDeviceWithinTenProbes) {
  const ProxyScores proxy(LoadProxyTable(testing::RepoProxyTable(Dataset::kCifar100), Dataset::kCifar100),
                          ProxyAggregate::kFreeRea);
  ControllerStrategy strategy(testing::RepoStrategyResources().controller_model,
                              testing::RepoStrategyResources().unconstrained_controller_model);
  const LatencyTable& table = Data().DeviceTable("pixel2");
  TableDevice device("table:pixel2", table, Data().space());
  std::vector<double> sorted = table.values();
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
  const double median = sorted[sorted.size() / 2];
  for (std::optional<double> budget : {std::optional<double>(median), std::optional<double>()}) {
    for (std::uint64_t seed : {0u, 1u}) {
      SearchTask task;
      task.latency_budget_ms = budget;
      task.seed = seed;
      const auto setup = testing::Setup(Data(), proxy, device);
      const SearchReport r = RunSearch(strategy, device, task, 10, setup->context(), nullptr, "");
      EXPECT_LE(r.probes_used, 10);
      ASSERT_TRUE(r.answer.found);
      EXPECT_TRUE(r.answer.feasible);
      if (budget) {
        EXPECT_LE(r.answer.chosen.measurement.latency_ms, *budget);
      }
    }
  }
}

}  // namespace
}  // namespace simnas
