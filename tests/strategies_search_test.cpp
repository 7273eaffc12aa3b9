// The proxy-device strategies and the oracles, on a table device and a synthetic device:
// budgets never exceeded, deterministic per seed, answers from measured cells; the oracles'
// refusal of devices without a full table. The proxy scores are a fake in-memory table
// (the committed tables are generated elsewhere), shaped like the real ones: larger cells
// score higher; the devices are the in-memory fixture's (fixture_data.h).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/device_spec.h"
#include "simnas/devices/table_device.h"
#include "simnas/strategies/lut_prior.h"
#include "simnas/strategies/one_proxy.h"
#include "simnas/strategies/oracle.h"
#include "simnas/strategies/pareto.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/latency_model/linear.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

// The in-memory fixture benchmark (fixture_data.h): all but the CLI test need no data folder.
const BenchmarkData& Data() { return testing::FixtureData(); }
const ProxyScores& FakeProxy() { return testing::FixtureProxy(); }

// A strategy by name (the `oracle` ranks by the context's accuracy: the fixture's).
std::unique_ptr<Strategy> MakeTestStrategy(const std::string& name) {
  return MakeStrategy(name, testing::RepoStrategyResources(), Nb201Space());
}

std::vector<std::string> ProbingStrategies() { return {"random", "one-proxy", "evolution", "lut-prior", "safe-climb"}; }

struct Outcome {
  std::vector<int> probed;
  int answer = -1;
  bool feasible = false;
  int used = 0;
};

Outcome RunStrategy(const std::string& strategy_name, Device& device, std::optional<double> budget_ms, int probes,
            std::uint64_t seed) {
  std::unique_ptr<Strategy> strategy = MakeTestStrategy(strategy_name);
  SearchTask task;
  task.latency_budget_ms = budget_ms;
  task.seed = seed;
  const auto setup = testing::Setup(Data(), FakeProxy(), device);
  const SearchReport report = RunSearch(*strategy, device, task, probes, setup->context(), nullptr, "");
  Outcome o;
  for (const ProbeRecord& r : report.trajectory) o.probed.push_back(r.index);
  o.answer = report.answer.found ? report.answer.chosen.index : -1;
  o.feasible = report.answer.feasible;
  o.used = report.probes_used;
  return o;
}

double Median(const LatencyTable& t) {
  std::vector<double> v = t.values();
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

class ProbingStrategy : public ::testing::TestWithParam<std::string> {};

TEST_P(ProbingStrategy, NeverExceedsTheBudgetAndIsDeterministicOnATableDevice) {
  TableDevice device("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  const double budget_ms = Median(Data().DeviceTable("gold_6240"));
  for (int probes : {1, 2, 5, 10}) {
    const Outcome a = RunStrategy(GetParam(), device, budget_ms, probes, 7);
    EXPECT_LE(a.used, probes);
    EXPECT_GE(a.used, 1);
    EXPECT_EQ(static_cast<int>(a.probed.size()), a.used);
    const Outcome b = RunStrategy(GetParam(), device, budget_ms, probes, 7);
    EXPECT_EQ(a.probed, b.probed) << "probes " << probes;
    EXPECT_EQ(a.answer, b.answer);
    // The answer is a probed cell.
    EXPECT_NE(std::find(a.probed.begin(), a.probed.end(), a.answer), a.probed.end());
  }
  // Without a latency budget (the unconstrained reward) too.
  const Outcome u = RunStrategy(GetParam(), device, std::nullopt, 6, 3);
  EXPECT_LE(u.used, 6);
  EXPECT_TRUE(u.feasible);
}

TEST_P(ProbingStrategy, NeverExceedsTheBudgetAndIsDeterministicOnASyntheticDevice) {
  const DeviceEnvironment env = testing::Nb201Devices(Data(), std::nullopt);
  std::unique_ptr<Device> device = OpenDevice("synthetic:5", env);
  std::vector<double> all;
  for (int i = 0; i < kNumCells; i += 7) all.push_back(device->Measure(ToArch(Data().space().CellAt(i))).latency_ms);
  std::sort(all.begin(), all.end());
  const double budget_ms = all[all.size() / 2];
  const Outcome a = RunStrategy(GetParam(), *device, budget_ms, 10, 1);
  const Outcome b = RunStrategy(GetParam(), *device, budget_ms, 10, 1);
  EXPECT_LE(a.used, 10);
  EXPECT_EQ(a.probed, b.probed);
  EXPECT_EQ(a.answer, b.answer);
}

INSTANTIATE_TEST_SUITE_P(Strategies, ProbingStrategy, ::testing::ValuesIn(ProbingStrategies()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// A spent probe budget is the normal end of a search, not an error: every strategy, handed a
// session whose probes are already spent (or nearly), returns without an exception and
// without measuring anything beyond the budget.
TEST(ProbingStrategies, EveryStrategyStopsCleanlyWhenTheProbesAreSpent) {
  TableDevice device("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  const auto setup = testing::Setup(Data(), FakeProxy(), device);
  const SearchContext& context = setup->context();
  std::vector<std::string> names = ProbingStrategies();
  for (const std::string extra : {"controller", "oracle", "proxy-oracle"}) names.push_back(extra);
  for (const std::string& name : names) {
    for (std::optional<double> budget : {std::optional<double>(Median(Data().DeviceTable("gold_6240"))),
                                         std::optional<double>()}) {
      for (int spent : {3, 2}) {
        std::unique_ptr<Strategy> strategy = MakeTestStrategy(name);
        ProbeSession session(device, *context.candidates, 3);
        std::mt19937_64 rng(static_cast<std::uint64_t>(spent));
        while (session.used() < spent) ASSERT_NE(session.TryProbe(ToArch(RandomCell(rng))), nullptr);
        SearchTask task;
        task.latency_budget_ms = budget;
        task.seed = 4;
        const int calls_before = session.measured_now();
        EXPECT_NO_THROW(strategy->For(context).Search(session, task, context)) << name;
        EXPECT_LE(session.measured_now() - calls_before, 3 - spent) << name;
      }
    }
  }
}

TEST(ProbingStrategies, ProxyDeviceStrategiesFindAFeasibleCellAtTheMedianBudget) {
  // With 10 probes at the median latency, a proxy-device strategy that ranks latency at all
  // must find a measured-feasible cell on these train devices (each one the left-out target).
  for (const std::string device_name : {"gold_6240", "pixel3", "titanx_32"}) {
    TableDevice device(DeviceSpec::Table(device_name).ToString(), Data().DeviceTable(device_name), Data().space());
    const double budget_ms = Median(Data().DeviceTable(device_name));
    for (const std::string strategy : {"one-proxy", "lut-prior", "safe-climb"}) {
      for (std::uint64_t seed : {0u, 1u, 2u}) {
        EXPECT_TRUE(RunStrategy(strategy, device, budget_ms, 10, seed).feasible) << strategy << " on " << device_name;
      }
    }
  }
}

TEST(Oracle, AnswersTheBestWithinTheBudgetFromTheFullTable) {
  const LatencyTable& table = Data().DeviceTable("pixel3");
  TableDevice device("table:pixel3", table, Data().space());
  const double budget_ms = Median(table);
  const Outcome proxy_oracle = RunStrategy("proxy-oracle", device, budget_ms, 10, 0);
  ASSERT_TRUE(proxy_oracle.feasible);
  EXPECT_EQ(proxy_oracle.used, 1);
  const auto& acc = Data().Accuracy(Dataset::kCifar100).test_accuracy;
  const Outcome oracle = RunStrategy("oracle", device, budget_ms, 10, 0);
  ASSERT_TRUE(oracle.feasible);
  for (int i = 0; i < kNumCells; ++i) {
    if (table.At(i) > budget_ms) continue;
    EXPECT_LE(FakeProxy()(i), FakeProxy()(proxy_oracle.answer));
    EXPECT_LE(acc[static_cast<std::size_t>(i)], acc[static_cast<std::size_t>(oracle.answer)]);
  }
  // No probing strategy beats the proxy ceiling on the proxy score.
  for (const std::string& s : ProbingStrategies()) {
    const Outcome o = RunStrategy(s, device, budget_ms, 10, 0);
    if (o.feasible) {
      EXPECT_LE(FakeProxy()(o.answer), FakeProxy()(proxy_oracle.answer)) << s;
    }
  }
  // A budget below every cell: infeasible, reported as such.
  EXPECT_FALSE(RunStrategy("oracle", device, 1e-3, 10, 0).feasible);
}

TEST(Oracle, RefusesADeviceWithoutAFullTable) {
  const DeviceEnvironment env = testing::Nb201Devices(Data(), std::nullopt);
  std::unique_ptr<Device> synthetic = OpenDevice("synthetic:1", env);
  for (const std::string name : {"oracle", "proxy-oracle"}) {
    std::unique_ptr<Strategy> s = MakeTestStrategy(name);
    const auto setup = testing::Setup(Data(), FakeProxy(), *synthetic);
    SearchTask task;
    task.latency_budget_ms = 10.0;
    try {
      RunSearch(*s, *synthetic, task, 10, setup->context(), nullptr, "");
      ADD_FAILURE() << name << " accepted a synthetic device";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("complete latency table"), std::string::npos) << e.what();
    }
  }
  // A partial table (a measured sample) is refused too.
  std::vector<double> partial(kNumCells, std::numeric_limits<double>::quiet_NaN());
  partial[0] = 1.0;
  TableDevice sample("table:sample.csv", std::make_unique<LatencyTable>("sample", partial), Data().space());
  std::unique_ptr<Strategy> s = MakeTestStrategy("oracle");
  SearchTask task;
  const auto setup = testing::Setup(Data(), FakeProxy(), sample);
  EXPECT_THROW(RunSearch(*s, sample, task, 10, setup->context(), nullptr, ""), Error);
}

TEST(Registry, EveryNewStrategyIsListed) {
  std::vector<std::string> names;
  for (const StrategyInfo& i : ListStrategies()) names.push_back(i.name);
  for (const std::string n : {"one-proxy", "evolution", "lut-prior", "safe-climb", "controller", "oracle", "proxy-oracle"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
  for (const StrategyInfo& i : ListStrategies()) {
    EXPECT_EQ(i.needs_full_table, i.name == "oracle" || i.name == "proxy-oracle") << i.name;
  }
}

TEST(Pareto, FrontIsNonDominatedAndSorted) {
  const std::vector<double> latency = Data().DeviceTable("pixel3").values();
  const ScoreTable scores = testing::ScoresOf(FakeProxy());
  const std::vector<int> front = ParetoFront(latency, scores);
  ASSERT_GE(front.size(), 2u);
  for (std::size_t k = 1; k < front.size(); ++k) {
    EXPECT_GT(latency[static_cast<std::size_t>(front[k])], latency[static_cast<std::size_t>(front[k - 1])]);
    EXPECT_GT(FakeProxy()(front[k]), FakeProxy()(front[k - 1]));
  }
  // No cell dominates a front member.
  for (int i = 0; i < kNumCells; i += 13) {
    for (int f : front) {
      const bool dominates = latency[static_cast<std::size_t>(i)] < latency[static_cast<std::size_t>(f)] &&
                             FakeProxy()(i) > FakeProxy()(f);
      EXPECT_FALSE(dominates) << i << " dominates " << f;
    }
  }
  EXPECT_EQ(SpreadPositions(10, 3), (std::vector<std::size_t>{0, 5, 9}));
  EXPECT_EQ(SpreadPositions(2, 5), (std::vector<std::size_t>{0, 1}));
}

TEST(OneProxy, StratifiedSampleSpansTheRangeAndIsDeterministic) {
  std::vector<double> predicted(kNumCells);
  for (int i = 0; i < kNumCells; ++i) predicted[static_cast<std::size_t>(i)] = (i * 7919) % kNumCells;
  const std::vector<int> a = StratifiedSample(predicted, 4, 9);
  EXPECT_EQ(a, StratifiedSample(predicted, 4, 9));
  ASSERT_EQ(a.size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    const double v = predicted[static_cast<std::size_t>(a[s])];
    EXPECT_GE(v, kNumCells * static_cast<double>(s) / 4 - 1);
    EXPECT_LT(v, kNumCells * static_cast<double>(s + 1) / 4 + 1);
  }
  const std::vector<const LatencyTable*> tables = {&Data().DeviceTable("pixel3"), &Data().DeviceTable("gold_6240")};
  EXPECT_EQ(SelectProxyDevice(tables, "pixel3").name(), "pixel3");
  EXPECT_THROW(SelectProxyDevice(tables, "fpga"), Error);
  EXPECT_THROW(SelectProxyDevice({}, ""), Error);
}

TEST(LutPrior, MeanTableIsTheMeanOfTheFits) {
  const std::vector<const LatencyTable*> tables = {&Data().DeviceTable("pixel3"), &Data().DeviceTable("gold_6240")};
  const CandidateSet& cells = Data().space_data().Numbering();
  const LinearLatencyModel mean = MeanLinearLatencyModel(tables, cells, "op-counts");
  const LinearLatencyModel a = FitLinearLatencyModel(*tables[0], cells, "op-counts");
  const LinearLatencyModel b = FitLinearLatencyModel(*tables[1], cells, "op-counts");
  ASSERT_EQ(mean.w.size(), a.w.size());
  for (Eigen::Index k = 0; k < mean.w.size(); ++k) EXPECT_NEAR(mean.w(k), (a.w(k) + b.w(k)) / 2, 1e-9) << k;
}

// The prior is linear in the encoding, so cells with the same op counts (in any edge order) tie
// to the last bit, and lut-prior's verification order breaks their tie by the higher score.
TEST(LutPrior, CellsThatEncodeAlikeTieInPriorLatency) {
  const std::vector<const LatencyTable*> tables = {&Data().DeviceTable("pixel3"), &Data().DeviceTable("gold_6240")};
  const CandidateSet& cells = Data().space_data().Numbering();
  const Eigen::MatrixXd x = EncodeCandidates(cells, "op-counts");
  const std::vector<double> predicted = MeanLinearLatencyModel(tables, cells, "op-counts").PredictAll(x);
  std::map<std::vector<double>, double> by_encoding;
  for (int i = 0; i < cells.size(); ++i) {
    const Eigen::VectorXd row = x.row(i);
    const auto [it, first] = by_encoding.emplace(std::vector<double>(row.data(), row.data() + row.size()),
                                                 predicted[static_cast<std::size_t>(i)]);
    if (!first) {
      ASSERT_EQ(it->second, predicted[static_cast<std::size_t>(i)]) << "cell " << i;
    }
  }
  EXPECT_LT(by_encoding.size(), static_cast<std::size_t>(cells.size()) / 10);
}

// The controller keeps the walk's tables between searches by what they are built from: a search
// whose setup stands where an earlier one's stood (as the benchmark's loop over datasets does)
// walks on its own scores, as a fresh controller does.
TEST(ControllerStrategy, ASearchWalksOnItsOwnScoresWhereAnEarlierSetupStood) {
  TableDevice device("table:gold_6240", Data().DeviceTable("gold_6240"), Data().space());
  const ScoreTable first = testing::ScoresOf(FakeProxy());
  std::vector<double> negated = first.values();
  for (double& v : negated) v = -v;
  const ScoreTable second(first.name(), negated);  // another dataset's scores by the same recipe
  SearchTask task;
  task.latency_budget_ms = Median(Data().DeviceTable("gold_6240"));
  task.seed = 1;
  std::optional<SearchSetup> setup;  // every setup at one address
  const auto walk = [&](Strategy& strategy, const ScoreTable& scores) {
    setup.emplace(Data().space_data(), device, scores);
    std::vector<int> probed;
    for (const ProbeRecord& r : RunSearch(strategy, device, task, 10, setup->context(), nullptr, "").trajectory) {
      probed.push_back(r.index);
    }
    return probed;
  };
  const std::vector<int> fresh = walk(*MakeTestStrategy("controller"), second);
  const std::unique_ptr<Strategy> kept = MakeTestStrategy("controller");
  EXPECT_NE(walk(*kept, first), fresh);  // the two score tables lead the walk apart
  EXPECT_EQ(walk(*kept, second), fresh);
}

TEST(StrategiesCli, EveryStrategyAnswersSimnasSearchOnATableDevice) {
  testing::TempDir dir;
  const auto proxy_csv = dir / "cifar100.csv";
  SaveProxyTable(proxy_csv, testing::FixtureProxyTable(Dataset::kCifar100, testing::Data().space()));
  const std::string budget = std::to_string(Median(testing::Data().DeviceTable("gold_6240")));
  for (const StrategyInfo& info : ListStrategies()) {
    if (info.name == "controller-picker") continue;  // no candidate-picker model is shipped for NAS-Bench-201
    const auto r = testing::RunCli({"search", "--device", "table:gold_6240", "--strategy", info.name, "--probes", "10",
                                    "--budget-ms", budget, "--proxy-table", proxy_csv.string(), "--seed", "2",
                                    "--json"});
    // The report is printed either way; an answer over the budget exits 1 and says so.
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["strategy"], info.name);
    EXPECT_GE(j["probes_used"].get<int>(), 1);
    EXPECT_LE(j["probes_used"].get<int>(), 10);
    if (j["feasible"].get<bool>()) {
      EXPECT_EQ(r.exit_code, 0) << info.name << ": " << r.err;
      EXPECT_LE(j["latency_ms"].get<double>(), std::stod(budget));
    } else {
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_NE(r.err.find("no probed cell meets the budget"), std::string::npos) << r.err;
    }
    // The proxy-device strategies and the oracles do find a feasible cell here.
    if (info.name != "random" && info.name != "evolution" && info.name != "scaled-proxy") {
      EXPECT_TRUE(j["feasible"].get<bool>()) << info.name;
    }
  }
  const auto refused = testing::RunCli({"search", "--device", "synthetic:2", "--strategy", "oracle", "--probes", "5",
                                        "--budget-ms", "10", "--proxy-table", proxy_csv.string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("complete latency table"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace simnas

namespace simnas {
namespace {

// The default strategy of `simnas search` is the one that won the committed benchmark's
// leave-one-device-out runs over the train devices (docs/benchmark.md, written by `simnas bench`).
TEST(Registry, DefaultStrategyIsTheCommittedBenchmarksLeaveOneOutWinner) {
  const std::filesystem::path report = std::filesystem::path(SIMNAS_TEST_DIR) / ".." / "docs" / "benchmark.md";
  std::ifstream in(report);
  ASSERT_TRUE(in.good()) << report;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "Leave-one-device-out winner: `";
  const std::size_t pos = text.find(marker);
  ASSERT_NE(pos, std::string::npos) << "no leave-one-device-out winner in " << report;
  const std::size_t end = text.find('`', pos + marker.size());
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(text.substr(pos + marker.size(), end - pos - marker.size()), Nb201Space().DefaultStrategy());
}

}  // namespace
}  // namespace simnas
