#include "simnas/strategies/answer.h"

#include <gtest/gtest.h>

#include "simnas/strategies/random_search.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/devices/table_device.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

// A proxy table where the score of index i is i (so higher index = better).
ScoreTable IndexScores() {
  std::vector<double> values(kNumCells);
  for (int i = 0; i < kNumCells; ++i) values[static_cast<std::size_t>(i)] = i;
  return ScoreTable("index", std::move(values));
}

ProbeRecord Record(int index, double ms) {
  ProbeRecord r;
  r.arch = ToArch(testing::FixtureSpace().CellAt(index));
  r.index = index;
  r.measurement.latency_ms = ms;
  return r;
}

TEST(ChooseAnswer, BestProxyAmongMeasuredFeasibleCells) {
  const ScoreTable proxy = IndexScores();
  SearchTask task;
  task.latency_budget_ms = 5.0;
  const SearchAnswer a = ChooseAnswer({Record(10, 4.0), Record(900, 5.5), Record(500, 5.0), Record(20, 1.0)}, task,
                                      proxy);
  EXPECT_TRUE(a.feasible);
  EXPECT_EQ(a.chosen.index, 500);  // 900 is better but over budget; 5.0 is within
}

TEST(ChooseAnswer, NoFeasibleCellIsReportedAsSuch) {
  const ScoreTable proxy = IndexScores();
  SearchTask task;
  task.latency_budget_ms = 1.0;
  const SearchAnswer a = ChooseAnswer({Record(10, 4.0), Record(900, 2.0)}, task, proxy);
  EXPECT_TRUE(a.found);
  EXPECT_FALSE(a.feasible);
  EXPECT_EQ(a.chosen.index, 900);  // the fastest, for information
  EXPECT_FALSE(ChooseAnswer({}, task, proxy).found);
}

TEST(ChooseAnswer, UnconstrainedRewardBalancesProxyAndLatency) {
  const ScoreTable proxy = IndexScores();
  SearchTask task;  // no budget
  // Index 15000 is nearly the best proxy but the slowest; 14000 is almost as good and fastest.
  const SearchAnswer a = ChooseAnswer({Record(15000, 10.0), Record(14000, 2.0), Record(100, 3.0)}, task, proxy);
  EXPECT_EQ(a.chosen.index, 14000);
  EXPECT_NEAR(UnconstrainedReward(0.5, 2.0, 2.0, 10.0), 1.5, 1e-12);
  EXPECT_NEAR(UnconstrainedReward(0.5, 10.0, 2.0, 10.0), 0.5, 1e-12);
}

TEST(RandomSearch, SpendsExactlyTheBudgetAndIsDeterministic) {
  const auto& data = testing::FixtureData();
  const ScoreTable proxy = IndexScores();
  TableDevice device("table:pixel3", data.DeviceTable("pixel3"), data.space());
  const auto setup = testing::Setup(data, proxy, device);
  const SearchContext& context = setup->context();
  EXPECT_EQ(context.train_tables.size(), data.TrainDevices().size() - 1);  // the train devices but the target
  for (const LatencyTable* t : context.train_tables) EXPECT_NE(t->name(), "pixel3");
  RandomSearch random;
  SearchTask task;
  task.seed = 3;
  task.latency_budget_ms = 12.0;
  const SearchReport a = RunSearch(random, device, task, 10, context, nullptr, "r");
  const SearchReport b = RunSearch(random, device, task, 10, context, nullptr, "r");
  EXPECT_EQ(a.probes_used, 10);
  ASSERT_EQ(a.trajectory.size(), b.trajectory.size());
  for (std::size_t i = 0; i < a.trajectory.size(); ++i) EXPECT_EQ(a.trajectory[i].index, b.trajectory[i].index);
  EXPECT_EQ(a.answer.chosen.index, b.answer.chosen.index);
}

}  // namespace
}  // namespace simnas
