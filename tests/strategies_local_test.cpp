// Every strategy on `local` (this machine's CPU, timed live) with a tiny probe budget: the
// budget holds on a live device too, every answer was measured, and the oracles refuse a
// device without a table. Timing-light options keep it fast; the suite name ends in Serial
// so CTest runs it alone.
#include <algorithm>

#include <gtest/gtest.h>

#include "simnas/core/error.h"
#include "simnas/devices/local_device.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "fixture_data.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "test_support.h"

namespace simnas {
namespace {

using testing::Data;

const ProxyScores& FakeProxy() {
  static const ProxyScores scores = [] {
    ProxyTable t;
    t.dataset = Dataset::kCifar100;
    for (int i = 0; i < kNumCells; ++i) {
      const auto n = Data().space().CellAt(i).OpCounts();
      t.naswot.push_back(700 + 12 * n[3] + 7 * n[2] + 2 * n[1] + 3 * n[4] + (i % 97) / 97.0);
      t.logsynflow.push_back(100 + 20 * n[3] + 8 * n[2] + (i % 89) / 89.0);
      t.skip.push_back(n[1] > 0 ? 1.0 : 0.0);
    }
    return ProxyScores(t, ProxyAggregate::kFreeRea);
  }();
  return scores;
}

LocalOptions QuickLocal() {
  LocalOptions o;
  o.timing.warmup = 1;
  o.timing.repeats = 6;
  o.timing.sample_ms = 2;
  o.timing.tolerance = 0.5;
  o.timing.quiet_tolerance = 5.0;  // this checks the budget, not the timing: accept a busy machine
  o.timing.on_cpu = 0;
  o.remember_reference = false;
  return o;
}

TEST(StrategiesLocalSerial, EveryStrategyAnswersWithinATinyBudgetOnLocal) {
  LocalDevice device(QuickLocal());
  const auto setup = testing::Setup(Data(), FakeProxy(), device);
  const SearchContext& context = setup->context();
  ASSERT_FALSE(context.train_tables.empty());
  for (const StrategyInfo& info : ListStrategies()) {
    if (info.name == "controller-picker") continue;  // no candidate-picker model is shipped for NAS-Bench-201
    std::unique_ptr<Strategy> strategy = MakeStrategy(info.name, testing::RepoStrategyResources(), Nb201Space());
    SearchTask task;
    task.latency_budget_ms = 1e6;  // every cell fits: the point is the probe budget
    task.seed = 4;
    if (info.needs_full_table) {
      EXPECT_THROW(RunSearch(*strategy, device, task, 2, context, nullptr, ""), Error) << info.name;
      continue;
    }
    const SearchReport report = RunSearch(*strategy, device, task, 2, context, nullptr, "");
    EXPECT_LE(report.probes_used, 2) << info.name;
    EXPECT_GE(report.probes_used, 1) << info.name;
    EXPECT_EQ(report.measured_now, report.probes_used) << info.name;
    ASSERT_TRUE(report.answer.found) << info.name;
    EXPECT_TRUE(report.answer.feasible) << info.name;
    EXPECT_GT(report.answer.chosen.measurement.latency_ms, 0.0) << info.name;
    const bool probed = std::any_of(report.trajectory.begin(), report.trajectory.end(),
                                    [&](const ProbeRecord& r) { return r.index == report.answer.chosen.index; });
    EXPECT_TRUE(probed) << info.name;
  }
}

}  // namespace
}  // namespace simnas
