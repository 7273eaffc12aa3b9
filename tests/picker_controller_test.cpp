// The controller's candidate-picking decision process (controller/picker_episode.h), its training on the
// generic PPO trainer, and the picker `controller` strategy, on tables made here from known lookup
// tables (hermetic); PickerControllerCli runs `simnas --space fbnet train` on the real data.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/picker_episode.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/bench/picker_training.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "simnas/strategies/picker_controller.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "test_support.h"

namespace simnas {
namespace {

SyntheticLut Lut(std::uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  SyntheticLut lut = SyntheticLut::ZerosOf(FbnetSpace());
  lut.fixed_ms = 3 * scale;
  for (auto& layer : lut.cost_ms) {
    for (double& v : layer) v = scale * u(rng);
  }
  return lut;
}

struct Fixture {
  CandidateSet numbering = testing::FbnetCandidates(SampleFbnetArchs(21, 400));
  std::vector<LatencyTable> tables;
  std::vector<LutFit> fits;
  LatencyTable target;
  std::vector<double> objective;
  ScoreTable named_objective;
  Fixture() {
    for (int i = 0; i < 3; ++i) {
      const std::vector<double> ms = Lut(40 + static_cast<std::uint64_t>(i), 0.5 + i).LatenciesOf(numbering);
      tables.emplace_back("train_" + std::to_string(i), ms);
      fits.push_back(FitLut(numbering, tables.back(), LutFitKind::kPerPosition));
    }
    target = LatencyTable("target", Lut(99, 2.0).LatenciesOf(numbering));
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int i = 0; i < numbering.size(); ++i) objective.push_back(u(rng));
    named_objective = ScoreTable("test objective", objective);
  }
  std::vector<const LatencyTable*> Tables() const { return {&tables[0], &tables[1], &tables[2]}; }
  double Budget(double q) const {
    std::vector<double> v = target.values();
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q / 100.0 * static_cast<double>(v.size() - 1))];
  }
};

class TableOracle : public PickerLatencyOracle {
 public:
  explicit TableOracle(const LatencyTable& t) : table_(t) {}
  double Probe(int candidate) override {
    EXPECT_TRUE(asked.insert(candidate).second) << "candidate " << candidate << " measured twice";
    return table_.values()[static_cast<std::size_t>(candidate)];
  }
  std::set<int> asked;

 private:
  const LatencyTable& table_;
};

TEST(PickerEpisode, ActionsPickUnprobedCandidatesAndRewardsSumToTheBestFeasibleImprovement) {
  const Fixture f;
  for (const bool linear : {false, true}) {
    SCOPED_TRACE(linear ? "with the linear predictor" : "matched table only");
    PickerEnvConfig config;
    config.linear = linear;
    const PickerProcessData data(f.numbering, f.objective, f.Tables(), f.tables[0], linear);
    const int n_actions = PickerNumActions(config);
    for (double q : {5.0, 50.0}) {
      TableOracle oracle(f.target);
      PickerEpisode episode(&config, &data);
      const double budget = f.Budget(q);
      episode.Reset(budget, 10, oracle);
      const double start = episode.best_score();
      std::mt19937_64 rng(7);
      std::vector<std::uint8_t> mask(static_cast<std::size_t>(n_actions));
      std::vector<float> obs(static_cast<std::size_t>(PickerObservationSize(config)));
      double rewards = 0;
      while (!episode.Done()) {
        episode.Observe(obs.data());
        for (float v : obs) ASSERT_TRUE(std::isfinite(v));
        episode.Mask(mask.data());
        for (int a = 0; a < n_actions; ++a) {
          ASSERT_EQ(mask[static_cast<std::size_t>(a)], 1);
          EXPECT_EQ(oracle.asked.count(episode.Pick(a)), 0u);  // never a measured candidate again
        }
        const int action = static_cast<int>(rng() % static_cast<std::uint64_t>(n_actions));
        const int pick = episode.Pick(action);
        rewards += episode.Step(action, oracle);
        EXPECT_EQ(episode.probes().back().row, pick);
      }
      EXPECT_EQ(episode.probes().size(), 10u);
      EXPECT_EQ(oracle.asked.size(), 10u);
      // The best feasible score among the probes: the answer is a measured network within the budget.
      int best = -1;
      for (const PickerProbe& p : episode.probes()) {
        EXPECT_EQ(p.ms, f.target.values()[static_cast<std::size_t>(p.row)]);
        if (p.ms <= budget && (best < 0 || data.score()[static_cast<std::size_t>(p.row)] > data.score()[static_cast<std::size_t>(best)])) {
          best = p.row;
        }
      }
      EXPECT_EQ(episode.best_row(), best);
      const double end = best >= 0 ? data.score()[static_cast<std::size_t>(best)] : config.infeasible_score;
      EXPECT_DOUBLE_EQ(episode.best_score(), end);
      EXPECT_NEAR(rewards, end - start, 1e-5);
      EXPECT_NEAR(episode.episode_return(), end - start, 1e-5);
    }
  }
}

TEST(PickerEpisode, NothingFeasibleMeansNoAnswerAndNoReward) {
  const Fixture f;
  const PickerEnvConfig config;
  const PickerProcessData data(f.numbering, f.objective, f.Tables(), f.tables[0], false);
  TableOracle oracle(f.target);
  PickerEpisode episode(&config, &data);
  episode.Reset(f.Budget(0) / 2, 5, oracle);
  double rewards = 0;
  while (!episode.Done()) rewards += episode.Step(4, oracle);
  EXPECT_EQ(episode.best_row(), -1);
  EXPECT_EQ(episode.best_score(), config.infeasible_score);
  EXPECT_EQ(rewards, 0.0);
  EXPECT_THROW(episode.Step(PickerNumActions(config), oracle), Error);
}

std::vector<float> StepAll(PickerVecEnv& env, int steps, std::vector<float>* rewards_out) {
  const int n = env.num_envs(), a = env.num_actions();
  std::vector<float> obs(static_cast<std::size_t>(n * env.observation_size()));
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n * a)), dones(static_cast<std::size_t>(n));
  std::vector<int> actions(static_cast<std::size_t>(n));
  std::vector<float> rewards(static_cast<std::size_t>(n));
  for (int s = 0; s < steps; ++s) {
    env.Observe(obs.data(), mask.data());
    for (int i = 0; i < n; ++i) actions[static_cast<std::size_t>(i)] = (s * 7 + i * 3) % a;
    env.Step(actions.data(), rewards.data(), dones.data());
    rewards_out->insert(rewards_out->end(), rewards.begin(), rewards.end());
  }
  env.Observe(obs.data(), mask.data());
  return obs;
}

TEST(PickerVecEnv, IsDeterministicAndItsStateResumesExactly) {
  const Fixture f;
  const PickerEnvConfig config;
  const PickerProcessData data(f.numbering, f.objective, f.Tables(), f.tables[0], false);
  const SyntheticDistribution devices(FbnetSpace(), f.fits);
  PickerVecEnv a(config, data, devices, 4, 11), b(config, data, devices, 4, 11);
  std::vector<float> ra, rb;
  EXPECT_EQ(StepAll(a, 13, &ra), StepAll(b, 13, &rb));
  EXPECT_EQ(ra, rb);
  const std::vector<EpisodeStats> done = a.TakeFinished();
  EXPECT_EQ(done.size(), 4u);  // 9 decisions per episode
  for (const EpisodeStats& s : done) {
    EXPECT_EQ(s.probes, 10);
    EXPECT_GE(s.budget_percentile, 0.1);
    EXPECT_LE(s.budget_percentile, 0.9);
  }
  // Restored from a's state, another env continues exactly as a does.
  PickerVecEnv c(config, data, devices, 4, 999);
  c.LoadState(a.SaveState());
  std::vector<float> r1, r2;
  EXPECT_EQ(StepAll(a, 11, &r1), StepAll(c, 11, &r2));
  EXPECT_EQ(r1, r2);
  PickerVecEnv other(config, data, devices, 3, 11);
  EXPECT_THROW(other.LoadState(a.SaveState()), DataError);
}

PolicyTrainOptions Tiny(const std::filesystem::path& out) {
  PolicyTrainOptions o;
  o.ppo.num_envs = 4;
  o.ppo.rollout = 16;
  o.ppo.minibatch = 32;
  o.ppo.hidden = 16;
  o.ppo.total_steps = 128;
  o.seed = 3;
  o.out = out;
  o.progress = false;
  o.plot = false;
  o.provenance = {{"command", "test"}};
  return o;
}

TEST(PickerTraining, ATinyRunTwiceGivesTheSameModelBytes) {
  const Fixture f;
  const testing::TempDir dir;
  const PickerEnvConfig config;
  const PickerProcessData data(f.numbering, f.objective, f.Tables(), f.tables[0], false);
  const SyntheticDistribution devices(FbnetSpace(), f.fits);
  DecisionProcess process;
  process.name = kPickerProcess;
  process.config = PickerEnvConfigToJson(config);
  process.make_env = [&](const nlohmann::json& c, int n, std::uint64_t seed) -> std::unique_ptr<VecEnv> {
    return std::make_unique<PickerVecEnv>(PickerEnvConfigFromJson(c), data, devices, n, seed);
  };
  TrainPolicy(Tiny(dir / "a"), process);
  TrainPolicy(Tiny(dir / "b"), process);
  EXPECT_EQ(ReadFile(dir / "a" / "controller.ctl"), ReadFile(dir / "b" / "controller.ctl"));
  const ControllerModel m = LoadControllerModel(dir / "a" / "controller.ctl", kPickerProcess);
  EXPECT_EQ(m.num_actions(), PickerNumActions(config));
  EXPECT_EQ(m.observation_size(), PickerObservationSize(config));
  // A checkpoint of the picker does not resume as the edit walk's.
  TrainOptions nb201;
  static_cast<PolicyTrainOptions&>(nb201) = Tiny(dir / "a");
  nb201.resume = true;
  DecisionProcess wrong = process;
  wrong.name = kWalkProcess;
  try {
    TrainPolicy(nb201, wrong);
    ADD_FAILURE() << "resumed another process's checkpoint";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("candidate-picker"), std::string::npos) << e.what();
  }
}

void ExpectOneLineNaming(const std::function<void()>& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const DataError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

TEST(PickerControllerStrategy, AnswersAMeasuredNetworkAndRefusesAModelOfTheOtherProcess) {
  const Fixture f;
  const testing::TempDir dir;
  TableDevice device("table:target", f.target, f.numbering);
  SearchContext inputs;
  inputs.candidates = &f.numbering;
  inputs.train_tables = f.Tables();
  inputs.scores = &f.named_objective;

  testing::WriteZeroPickerController(dir / "fbnet.ctl");
  StrategyResources files;
  files.picker_controller_model = dir / "fbnet.ctl";
  const auto strategy = MakeStrategy("controller", files, FbnetSpace());
  const double budget = f.Budget(50);
  const SearchReport r = RunSearch(*strategy, device, SearchTask{budget, 0}, 10, inputs, nullptr, "");
  EXPECT_EQ(r.strategy, "controller");
  EXPECT_EQ(r.probes_used, 10);
  ASSERT_TRUE(r.answer.feasible);
  EXPECT_LE(r.answer.chosen.measurement.latency_ms, budget);
  EXPECT_EQ(r.answer.chosen.measurement.latency_ms, f.target.At(r.answer.chosen.index));

  // A walk model for the picker, and a picker model where the walk's is expected.
  ControllerModel nb201;
  DenseLayer layer;
  layer.out = kNumEdges * kNumOps;  // NAS-Bench-201's walk: (edge, op)
  layer.in = ObservationSize(nb201.env, layer.out);
  layer.weight.assign(static_cast<std::size_t>(layer.in * layer.out), 0.0f);
  layer.bias.assign(static_cast<std::size_t>(layer.out), 0.0f);
  nb201.layers = {layer};
  SaveControllerModel(dir / "nb201.ctl", nb201);
  files.picker_controller_model = dir / "nb201.ctl";
  const auto wrong = MakeStrategy("controller", files, FbnetSpace());
  ExpectOneLineNaming([&] { RunSearch(*wrong, device, SearchTask{budget, 0}, 10, inputs, nullptr, ""); },
                      "trained for the edit-walk decision process, not the candidate-picker decision process");
  ExpectOneLineNaming([&] { LoadControllerModel(dir / "fbnet.ctl"); },
                      "trained for the candidate-picker decision process, not the edit-walk decision process");
  EXPECT_NO_THROW(LoadControllerModel(dir / "nb201.ctl"));
  // Model files written before the picker was generic name its process "fbnet": read as the picker.
  const ControllerModel former =
      LoadControllerModel(testing::RepoFile("models/controller/fbnet/picker.ctl"), kPickerProcess);
  EXPECT_EQ(former.process, kPickerProcess);
  EXPECT_EQ(former.num_actions(), PickerNumActions(PickerEnvConfigFromJson(former.process_config)));
}

TEST(PickerControllerCli, SpaceFbnetTrainsAResumableModelAndRefusesNasBench201Settings) {
  const testing::TempDir dir;
  const std::string out = (dir / "run").string();
  const std::vector<std::string> tiny = {"--space", "fbnet", "train", "--steps", "64", "--envs", "4", "--rollout", "8",
                                         "--minibatch", "16", "--hidden", "8", "--out", out};
  const auto r = testing::RunCli(tiny);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ControllerModel m = LoadControllerModel(dir / "run" / "controller.ctl", kPickerProcess);
  EXPECT_EQ(m.provenance.value("objective_source", ""), kFbnetDefaultScoreSource);
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "train_log.csv"));
  const auto again = testing::RunCli(tiny);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  std::vector<std::string> resume = tiny;
  resume[4] = "96";
  resume.push_back("--resume");
  const auto resumed = testing::RunCli(resume);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  std::vector<std::string> nb201 = tiny;
  nb201.back() = (dir / "other").string();
  nb201.insert(nb201.end(), {"--reward", "paper"});
  const auto refused = testing::RunCli(nb201);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(testing::CountLines(refused.err), 1) << refused.err;
  EXPECT_NE(refused.err.find("--reward"), std::string::npos) << refused.err;
  // The edit walk needs every architecture in the tables: refused on a sampled space, one line.
  const auto walk = testing::RunCli({"--space", "fbnet", "train", "--process", "walk", "--out", (dir / "walk").string()});
  EXPECT_NE(walk.exit_code, 0);
  EXPECT_EQ(testing::CountLines(walk.err), 1) << walk.err;
  EXPECT_NE(walk.err.find("--process walk"), std::string::npos) << walk.err;
}

// The candidate picker on the third space's data (needs the data folder): trained on the
// synthetic devices of ofa-mbv3 fitted on its train tables, ranking HELP's 5,000 networks by
// the space's predicted accuracy; the same seed gives the same weights, and no test table
// enters the provenance's train devices.
TEST(OfaPicker, TrainsAFewHundredStepsDeterministicallyOnTrainTablesOnly) {
  const Space& space = FindSpace("ofa-mbv3");
  const SpaceData data(space, testing::Data().dir());
  const std::string source = space.ScoreSources().front();
  const ScoreTable score(space.ScoreName(source), space.Scores(source, data.Numbering(), data));
  PickerEnvConfig config;
  config.synthetic = SyntheticOptions::DefaultOf(space);
  const testing::TempDir dir;
  PolicyTrainOptions a = Tiny(dir / "a");
  a.ppo.total_steps = 320;
  PolicyTrainOptions b = a;
  b.out = dir / "b";
  const TrainResult ra = TrainPickerController(data, score, config, a);
  TrainPickerController(data, score, config, b);
  EXPECT_EQ(ra.steps, 320);
  EXPECT_EQ(ReadFile(dir / "a" / "controller.ctl"), ReadFile(dir / "b" / "controller.ctl"));
  const ControllerModel m = LoadControllerModel(dir / "a" / "controller.ctl", kPickerProcess);
  EXPECT_EQ(m.provenance["space"], "ofa-mbv3");
  const std::vector<std::string> trained_on = m.provenance["train_devices"].get<std::vector<std::string>>();
  EXPECT_EQ(trained_on, data.TrainDevices());
  for (const std::string& d : data.TestDevices()) {
    EXPECT_EQ(std::count(trained_on.begin(), trained_on.end(), d), 0) << d;
  }
  // Its settings name the space's synthetic devices, and survive the file.
  EXPECT_EQ(PickerEnvConfigFromJson(m.process_config).synthetic, config.synthetic);
}

}  // namespace
}  // namespace simnas
