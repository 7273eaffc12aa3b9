// The controller's decision process: moves, probe accounting, rewards, observations that
// depend on latencies only relative to the budget (or the first probe), exact save/load;
// the vectorized synthetic environment's determinism and checkpointable state.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "controller_test_support.h"
#include "simnas/controller/episode.h"
#include "simnas/controller/synthetic_env.h"
#include "simnas/core/error.h"

namespace simnas {
namespace {

using testing::ControllerFits;
using testing::ControllerTables;
using testing::kWalkActions;

// Latency = scale x a fixed synthetic device; counts calls.
class CountingOracle : public LatencyOracle {
 public:
  explicit CountingOracle(double scale = 1.0) : scale_(scale) {
    std::mt19937_64 rng(11);
    device_ = ControllerFits().distribution.SampleDevice(rng, SyntheticOptions::Paper());
  }
  double Probe(const Arch& arch) override {
    ++calls;
    probed.insert(CellOf(arch).Code());
    return scale_ * device_.Latency(arch);
  }
  int calls = 0;
  std::set<int> probed;
  double Latency(int code) const { return scale_ * device_.Latency(ToArch(Cell::FromCode(code))); }

 private:
  double scale_;
  SyntheticLut device_;
};

int FirstValid(const Episode& e, int skip = 0) {
  std::array<std::uint8_t, kWalkActions> mask{};
  e.Mask(mask.data());
  for (int a = 0; a < kWalkActions; ++a) {
    if (mask[static_cast<std::size_t>(a)] && skip-- == 0) return a;
  }
  return -1;
}

TEST(ControllerEpisode, MovesToNeighboursAndSpendsOneProbePerNewCell) {
  EnvConfig config;
  config.probes = 4;
  const Cell start = Cell::FromCode(ControllerTables().by_proxy.front());
  CountingOracle oracle;
  Episode e(&config, &ControllerTables());
  e.Reset(start.Code(), oracle.Latency(start.Code()) * 0.8, config.probes, oracle);
  EXPECT_EQ(e.probes_used(), 1);
  std::array<std::uint8_t, kWalkActions> mask{};
  e.Mask(mask.data());
  int allowed = 0;
  for (int a = 0; a < kWalkActions; ++a) {
    allowed += mask[static_cast<std::size_t>(a)];
    // The edge's current op is the masked action.
    EXPECT_EQ(mask[static_cast<std::size_t>(a)] == 0, static_cast<int>(start.op(a / kNumOps)) == a % kNumOps);
  }
  EXPECT_EQ(allowed, 24);
  const int a = FirstValid(e);
  e.Step(a, oracle);
  EXPECT_EQ(Cell::FromCode(e.current_code()), start.WithOp(a / kNumOps, static_cast<Op>(a % kNumOps)));
  EXPECT_EQ(e.probes_used(), 2);
  // Stepping back to the start is free.
  e.Step(static_cast<int>(a / kNumOps) * kNumOps + static_cast<int>(start.op(a / kNumOps)), oracle);
  EXPECT_EQ(e.current_code(), start.Code());
  EXPECT_EQ(e.probes_used(), 2);
  EXPECT_EQ(oracle.calls, 2);
  EXPECT_THROW(e.Step(static_cast<int>(start.op(0)), oracle), Error);  // invalid: the current op
  while (!e.Done()) e.Step(FirstValid(e, e.steps() * 7 % 24), oracle);
  EXPECT_EQ(e.probes_used(), 4);
  EXPECT_EQ(oracle.calls, 4);
}

TEST(ControllerEpisode, BudgetRewardsSumToTheAnswersImprovement) {
  EnvConfig config;
  config.probes = 10;
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    CountingOracle oracle;
    const Cell start = RandomCell(rng);
    const double budget = oracle.Latency(RandomCell(rng).Code());
    Episode e(&config, &ControllerTables());
    e.Reset(start.Code(), budget, config.probes, oracle);
    const double initial = e.best_score();
    double sum = 0;
    while (!e.Done()) sum += e.Step(FirstValid(e, static_cast<int>(rng() % 24)), oracle);
    EXPECT_NEAR(sum, e.best_score() - initial, 1e-6);
    // The best score is the best proxy among measured feasible cells.
    double best = config.infeasible_score;
    for (int code : oracle.probed) {
      if (oracle.Latency(code) <= budget) best = std::max(best, static_cast<double>(ControllerTables().proxy[static_cast<std::size_t>(code)]));
    }
    EXPECT_NEAR(e.best_score(), best, 1e-6);
    EXPECT_EQ(e.best_code() >= 0, best > config.infeasible_score);
  }
}

TEST(ControllerEpisode, ObservationsSeeLatencyOnlyRelativeToTheBudgetOrFirstProbe) {
  for (RewardKind reward : {RewardKind::kBudget, RewardKind::kPaper}) {
    EnvConfig config;
    config.reward = reward;
    const int size = ObservationSize(config, kWalkActions);
    std::vector<float> obs1(static_cast<std::size_t>(size)), obs2(static_cast<std::size_t>(size));
    CountingOracle fast(1.0), slow(37.0);
    Episode a(&config, &ControllerTables()), b(&config, &ControllerTables());
    const Cell start = Cell::FromCode(1234);
    std::optional<double> budget_a, budget_b;
    if (reward == RewardKind::kBudget) {
      budget_a = fast.Latency(777);
      budget_b = slow.Latency(777);
    }
    a.Reset(start.Code(), budget_a, 10, fast);
    b.Reset(start.Code(), budget_b, 10, slow);
    for (int step = 0; step < 6; ++step) {
      a.Observe(obs1.data());
      b.Observe(obs2.data());
      for (int i = 0; i < size; ++i) ASSERT_NEAR(obs1[static_cast<std::size_t>(i)], obs2[static_cast<std::size_t>(i)], 1e-4) << i;
      const int action = FirstValid(a, step * 5 % 24);
      a.Step(action, fast);
      b.Step(action, slow);
    }
  }
  EnvConfig budget_config;
  CountingOracle oracle;
  Episode e(&budget_config, &ControllerTables());
  EXPECT_THROW(e.Reset(1, std::nullopt, 10, oracle), Error);  // budget reward needs a budget
}

TEST(ControllerEpisode, SaveAndLoadRestoreTheExactState) {
  EnvConfig config;
  CountingOracle oracle;
  Episode e(&config, &ControllerTables());
  e.Reset(4000, oracle.Latency(4000), 10, oracle);
  for (int i = 0; i < 4; ++i) e.Step(FirstValid(e, i * 7 % 24), oracle);
  std::string state;
  e.Save(state);
  Episode f(&config, &ControllerTables());
  const char* in = state.data();
  f.Load(in, state.data() + state.size());
  EXPECT_EQ(in, state.data() + state.size());
  std::vector<float> o1(static_cast<std::size_t>(ObservationSize(config, kWalkActions))), o2(o1.size());
  e.Observe(o1.data());
  f.Observe(o2.data());
  EXPECT_EQ(o1, o2);
  const char* short_in = state.data();
  Episode g(&config, &ControllerTables());
  EXPECT_THROW(g.Load(short_in, state.data() + state.size() / 2), DataError);
}

void StepRandomly(SyntheticVecEnv& env, int steps, std::mt19937_64& rng, std::vector<float>& rewards_out) {
  const int n = env.num_envs();
  std::vector<float> obs(static_cast<std::size_t>(n * env.observation_size()));
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n * kWalkActions)), dones(static_cast<std::size_t>(n));
  std::vector<float> rewards(static_cast<std::size_t>(n));
  std::vector<int> actions(static_cast<std::size_t>(n));
  for (int t = 0; t < steps; ++t) {
    env.Observe(obs.data(), mask.data());
    for (int i = 0; i < n; ++i) {
      int a;
      do {
        a = static_cast<int>(rng() % kWalkActions);
      } while (!mask[static_cast<std::size_t>(i * kWalkActions + a)]);
      actions[static_cast<std::size_t>(i)] = a;
    }
    env.Step(actions.data(), rewards.data(), dones.data());
    rewards_out.insert(rewards_out.end(), rewards.begin(), rewards.end());
  }
}

TEST(SyntheticVecEnv, IsDeterministicAndItsStateResumesExactly) {
  EnvConfig config;
  config.synthetic = SyntheticOptions::Parse("sampler=mixture,op_noise=0.1,noise=0.02,live=0.3");
  SyntheticVecEnv a(config, ControllerTables(), ControllerFits().distribution, 8, 42);
  SyntheticVecEnv b(config, ControllerTables(), ControllerFits().distribution, 8, 42);
  std::mt19937_64 ra(1), rb(1);
  std::vector<float> rew_a, rew_b;
  StepRandomly(a, 30, ra, rew_a);
  StepRandomly(b, 30, rb, rew_b);
  EXPECT_EQ(rew_a, rew_b);
  // Resume b's state into a fresh env: the continuation is identical.
  SyntheticVecEnv c(config, ControllerTables(), ControllerFits().distribution, 8, 999);
  c.LoadState(b.SaveState());
  std::mt19937_64 rc = rb;
  std::vector<float> more_b, more_c;
  StepRandomly(b, 40, rb, more_b);
  StepRandomly(c, 40, rc, more_c);
  EXPECT_EQ(more_b, more_c);
  const std::vector<EpisodeStats> done = b.TakeFinished();
  ASSERT_FALSE(done.empty());
  for (const EpisodeStats& s : done) {
    EXPECT_LE(s.probes, config.probes);
    EXPECT_GE(s.budget_percentile, config.budget_lo / 100.0);
    EXPECT_LE(s.budget_percentile, config.budget_hi / 100.0);
  }
  // Without measurement noise a feasible answer is truly within the budget: its latency
  // percentile is at most the budget's (a little slack for ties at the budget).
  EnvConfig exact = config;
  exact.synthetic = SyntheticOptions::Parse("sampler=mixture,op_noise=0.1,live=0.3");
  SyntheticVecEnv e(exact, ControllerTables(), ControllerFits().distribution, 8, 42);
  std::mt19937_64 re(1);
  std::vector<float> rew_e;
  StepRandomly(e, 70, re, rew_e);
  const std::vector<EpisodeStats> exact_done = e.TakeFinished();
  int feasible = 0;
  for (const EpisodeStats& s : exact_done) {
    if (s.feasible) {
      ++feasible;
      EXPECT_LE(s.answer_percentile, s.budget_percentile + 0.01);
    }
  }
  EXPECT_GT(feasible, 0) << exact_done.size() << " episodes";
  SyntheticVecEnv other(config, ControllerTables(), ControllerFits().distribution, 4, 42);
  EXPECT_THROW(other.LoadState(b.SaveState()), DataError);
}

}  // namespace
}  // namespace simnas
