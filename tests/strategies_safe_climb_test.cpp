// The target latency model behind `safe-climb` (NNLS over train tables, scaled consensus,
// leave-one-out error) and the strategy's own rules, on the in-memory fixture tables.
#include <cmath>
#include <random>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "simnas/core/error.h"
#include "simnas/devices/table_device.h"
#include "simnas/strategies/safe_climb.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/latency_model/table_mixture.h"
#include "fixture_data.h"

namespace simnas {
namespace {

// The in-memory fixture benchmark: these tests need no data folder.
const BenchmarkData& Data() { return testing::FixtureData(); }

TEST(NonNegativeLeastSquares, RecoversANonNegativeCombinationAndRespectsTheBound) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0.5, 2.0);
  Eigen::MatrixXd a(30, 4);
  for (int i = 0; i < 30; ++i) {
    for (int j = 0; j < 4; ++j) a(i, j) = u(rng);
  }
  const Eigen::Vector4d truth(0.0, 1.5, 0.0, 0.25);
  const Eigen::VectorXd b = NonNegativeLeastSquares(a, a * truth, 0.0);
  EXPECT_LT((b - truth).cwiseAbs().maxCoeff(), 1e-6);
  // A target that wants a negative weight gets 0 there.
  const Eigen::Vector4d negative(-1.0, 2.0, 0.0, 0.0);
  const Eigen::VectorXd c = NonNegativeLeastSquares(a, a * negative, 0.0);
  EXPECT_GE(c.minCoeff(), 0.0);
  EXPECT_EQ(c(0), 0.0);
}

TEST(TargetLatencyModel, ExactForACombinationOfTrainTablesAndScaledConsensusFromOneProbe) {
  const std::vector<const LatencyTable*> tables = {&Data().DeviceTable("pixel3"), &Data().DeviceTable("titanx_32"),
                                                   &Data().DeviceTable("gold_6240")};
  std::vector<double> target(kNumCells);
  for (int i = 0; i < kNumCells; ++i) target[static_cast<std::size_t>(i)] = 0.5 * tables[0]->At(i) + 2.0 * tables[1]->At(i);
  TargetLatencyModel model(tables);
  // One probe: the consensus, scaled so that the probed cell is predicted exactly.
  model.Fit({100}, {target[100]});
  EXPECT_NEAR(model.Predict(100), target[100], 1e-9 * target[100]);
  EXPECT_TRUE(std::isnan(model.LeaveOneOutLogRmse()));
  // Six probes: the mixture is recovered, every cell predicted, the LOO error vanishes.
  const std::vector<int> probes = {100, 2000, 4000, 7000, 9000, 15000};
  std::vector<double> ms;
  for (int i : probes) ms.push_back(target[static_cast<std::size_t>(i)]);
  model.Fit(probes, ms);
  for (int i = 0; i < kNumCells; i += 97) {
    EXPECT_NEAR(model.Predict(i), target[static_cast<std::size_t>(i)], 1e-3 * target[static_cast<std::size_t>(i)]) << i;
  }
  EXPECT_LT(model.LeaveOneOutLogRmse(), 1e-3);
  EXPECT_THROW(model.Fit({}, {}), Error);
  EXPECT_THROW(model.Fit({1, 2}, {1.0}), Error);
  EXPECT_THROW(TargetLatencyModel({}), Error);
}

TEST(SafeClimb, StopsOnceTheBestProxyCellIsMeasuredFeasible) {
  // A budget every cell meets: after the first probe nothing but the best proxy cell can
  // improve the answer; once it is measured, the search stops early.
  const LatencyTable& table = Data().DeviceTable("titanx_32");
  TableDevice device("table:titanx_32", table, Data().space());
  ProxyTable fake;
  fake.dataset = Dataset::kCifar100;
  for (int i = 0; i < kNumCells; ++i) {
    fake.naswot.push_back(static_cast<double>(i % 1000));
    fake.logsynflow.push_back(static_cast<double>((i * 7) % 1013));
    fake.skip.push_back(static_cast<double>(i % 3));
  }
  const ProxyScores proxy(fake, ProxyAggregate::kRank);
  const auto setup = testing::Setup(Data(), proxy, device);
  const SearchContext& context = setup->context();
  SafeClimbStrategy strategy;
  SearchTask task;
  task.latency_budget_ms = 1e6;
  const SearchReport report = RunSearch(strategy, device, task, 10, context, nullptr, "");
  int best = 0;
  for (int i = 1; i < kNumCells; ++i) {
    if (proxy(i) > proxy(best)) best = i;
  }
  ASSERT_TRUE(report.answer.feasible);
  EXPECT_EQ(report.answer.chosen.index, best);
  EXPECT_LE(report.probes_used, 2);
}

}  // namespace
}  // namespace simnas
