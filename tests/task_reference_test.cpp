// The task references (oracle, proxy ceiling) of strategies/oracle.h: one tie-break, used by
// the oracle strategies, the benchmark's task references and EvaluateOnTables. No data folder.
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/strategies/oracle.h"

namespace simnas {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Cells 3, 5, 7 tie in score; 5 and 7 are equally fast and faster than 3; 9 is the best but
// slow; 11 scores highest but its latency is unknown (a live device's sample).
struct Fixture {
  std::vector<double> latency = std::vector<double>(kNumCells, kNaN);
  std::vector<double> accuracy = std::vector<double>(kNumCells, 50.0);
  Fixture() {
    latency[3] = 2.0, latency[5] = 1.0, latency[7] = 1.0, latency[9] = 5.0;
    accuracy[3] = accuracy[5] = accuracy[7] = 90.0;
    accuracy[9] = 99.0;
    accuracy[11] = 100.0;
  }
};

TEST(StrategiesTaskReference, TiesGoToTheFasterCellThenTheLowerIndex) {
  const Fixture f;
  EXPECT_EQ(BestWithinBudget(f.latency, f.accuracy, 3.0), 5);
  EXPECT_EQ(OracleIndex(f.latency, f.accuracy, 3.0), 5);
  EXPECT_EQ(OracleIndex(f.latency, f.accuracy, std::nullopt), 9);  // unknown cell 11 never chosen
  EXPECT_EQ(OracleIndex(f.latency, f.accuracy, 0.5), -1);
  // The lower index wins among equally fast ties whatever their order of appearance.
  std::vector<double> latency = f.latency;
  latency[3] = 1.0;
  EXPECT_EQ(OracleIndex(latency, f.accuracy, 3.0), 3);
}

TEST(StrategiesTaskReference, ProxyCeilingIsTheBestProxyWithinTheBudgetElseTheUnconstrainedReward) {
  const Fixture f;
  ProxyTable table;
  std::vector<double> v(kNumCells, 0.0);
  v[3] = v[5] = v[7] = 0.5;
  v[9] = 1.0;
  v[11] = 1.0;
  table.naswot = table.logsynflow = table.skip = v;
  const ScoreTable proxy = ProxyScoreTable(table, ProxyAggregate::kFreeRea);
  EXPECT_EQ(ProxyCeilingIndex(f.latency, proxy, 3.0), 5);
  EXPECT_EQ(ProxyCeilingIndex(f.latency, proxy, 10.0), 9);
  // Without a budget: p + 1 - l over the known cells (latency 1..5): 3 -> 0.5 + 0.75,
  // 5 and 7 -> 0.5 + 1 (tie, equally fast: the lower index), 9 -> 1 + 0.
  EXPECT_EQ(ProxyCeilingIndex(f.latency, proxy, std::nullopt), 5);
  EXPECT_EQ(ProxyCeilingIndex(f.latency, proxy, 0.5), -1);
}

}  // namespace
}  // namespace simnas
