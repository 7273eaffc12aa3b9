// The strategies on a sample of FBNet (strategies/registry.h) and FBNet's score sources
// (proxies/fbnet_scores.h), on
// fixture tables made here: a few hundred sampled FBNet networks whose latencies are linear in the
// layer-onehot features.
// Hermetic: nothing reads the data folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "simnas/latency_model/feature_linear.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/devices/table_device.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/fbnet/fbnet_cost.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/oracle.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "test_support.h"

namespace simnas {
namespace {

// Latency = fixed part + a per-(layer, block) cost, the costs drawn from `seed` and times `scale`.
LatencyTable LinearTable(const std::string& name, const CandidateSet& numbering, std::uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> cost(0.05, 1.0);
  Eigen::VectorXd w(FbnetSpace().FeatureCount("onehot"));
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = cost(rng);
  w(0) = 2.0;
  const Eigen::VectorXd ms = EncodeCandidates(numbering, "onehot") * w * scale;
  return LatencyTable(name, std::vector<double>(ms.data(), ms.data() + ms.size()));
}

// The `controller` strategy (the candidate picker on a sample) reads a model: an untrained one,
// written once per process.
StrategyResources Files() {
  static const testing::TempDir dir;
  static const StrategyResources files = [] {
    testing::WriteZeroPickerController(dir / "fbnet.ctl");
    StrategyResources r;
    r.picker_controller_model = dir / "fbnet.ctl";
    return r;
  }();
  return files;
}

// The strategies that run on a sample of the space (every FBNet search's candidates).
std::vector<std::string> SampleStrategyNames() {
  return {"scaled-proxy", "one-proxy", "matched-proxy", "controller", "random"};
}

std::unique_ptr<Strategy> Make(const std::string& name, const StrategyResources& files = {}) {
  return MakeStrategy(name, files, FbnetSpace());
}

SearchReport RunOn(Strategy& strategy, Device& device, const SearchContext& context, double budget, int probes,
                 std::uint64_t seed) {
  return RunSearch(strategy, device, SearchTask{budget, seed}, probes, context, nullptr, "");
}

struct Fixture {
  Fixture()
      : numbering(testing::FbnetCandidates(SampleFbnetArchs(5, 300))),
        target(LinearTable("target", numbering, 1, 1.0)),
        // The same costs in other units: a perfect proxy up to scale.
        scaled(LinearTable("scaled", numbering, 1, 0.05)),
        other(LinearTable("other", numbering, 2, 0.3)),
        objective(MakeScoreTable(numbering, Dataset::kCifar100, "macs", {})) {
    inputs.candidates = &numbering;
    inputs.train_tables = {&scaled};
    inputs.scores = &objective;
  }
  double Budget(double q) const {
    std::vector<double> v = target.values();
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q / 100.0 * static_cast<double>(v.size() - 1))];
  }
  CandidateSet numbering;
  LatencyTable target, scaled, other;
  ScoreTable objective;
  SearchContext inputs;
};

TEST(FbnetObjective, MultiplyAddsAndUnknownSourcesRefused) {
  const Fixture f;
  EXPECT_EQ(f.objective.name(), "multiply-adds");
  ASSERT_EQ(f.objective.size(), 300);
  for (int i : {0, 17, 299}) {
    EXPECT_EQ(f.objective(i), static_cast<double>(FbnetMultiplyAdds(FbnetOf(f.numbering.at(i)))));
  }
  try {
    (void)MakeScoreTable(f.numbering, Dataset::kCifar100, "accuracy", {});
    FAIL() << "an unknown objective source was accepted";
  } catch (const ParseError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("macs"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

// A recipe source: the named recipe of aggregates.json over an FBNet proxy table of exactly the
// candidates (here one written for the fixture's 300 networks), the same scores as the table's
// own aggregate; a recipe the recipes file lacks, or a table of other networks, is refused.
TEST(FbnetObjective, ARecipeRanksByTheProxyTableOfTheCandidates) {
  const Fixture f;
  const testing::TempDir tmp;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  ProxyTable table;
  table.space = "fbnet";
  table.dataset = Dataset::kCifar100;
  for (int i = 0; i < f.numbering.size(); ++i) {
    table.arch.push_back(FbnetSpace().Format(f.numbering.at(i)));
    table.naswot.push_back(700 + 100 * u(rng));
    table.logsynflow.push_back(1e6 * (1 + u(rng)));
    table.zoo["params"].push_back(1e6);
    table.zoo["flops"].push_back(5e7);
  }
  table.provenance["seed"] = "0";
  table.provenance["method_version"] = "1";
  const std::filesystem::path file = ProxyTableFile(tmp / "tables", FbnetSpace(), Dataset::kCifar100);
  SaveProxyTable(file, table);
  std::filesystem::create_directories(tmp / "configs");
  WriteFileAtomically(tmp / "configs" / "aggregates.json",
                R"({"two": {"proxies": ["naswot", "logsynflow"], "combination": "minmax_sum"}})");
  const ScoreFiles files{tmp / "tables", {}, tmp / "configs"};
  const ScoreTable objective = MakeScoreTable(f.numbering, Dataset::kCifar100, "two", files);
  EXPECT_EQ(objective.name(), "two");
  const std::vector<double> expected =
      ProxyScores(LoadProxyTable(file, f.numbering, Dataset::kCifar100), ParseProxyAggregate("two", tmp / "configs"))
          .values();
  EXPECT_EQ(objective.values(), expected);
  // Min-max sum: the network best on both proxies scores highest.
  const auto best = std::max_element(objective.values().begin(), objective.values().end()) - objective.values().begin();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table.naswot[i] > table.naswot[best] && table.logsynflow[i] > table.logsynflow[best]) {
      ADD_FAILURE() << "row " << i << " beats the best-scored row on both proxies";
    }
  }
  EXPECT_THROW((void)MakeScoreTable(f.numbering, Dataset::kCifar100, "absent", files), ParseError);
  EXPECT_THROW((void)MakeScoreTable(f.numbering, Dataset::kCifar100, "two", {}), ParseError);  // no files
  const CandidateSet others = testing::FbnetCandidates(SampleFbnetArchs(6, 300));
  EXPECT_THROW((void)MakeScoreTable(others, Dataset::kCifar100, "two", files), DataError);
}

TEST(FbnetStrategies, RegistryResolvesTheDefaultAndRefusesWhatASampleCannotDoInOneLine) {
  EXPECT_EQ(Make("")->name(), FbnetSpace().DefaultStrategy());
  EXPECT_EQ(Make("default")->name(), FbnetSpace().DefaultStrategy());
  for (const std::string& name : SampleStrategyNames()) EXPECT_EQ(Make(name)->name(), name);
  // Strategies whose moves need every architecture as a candidate are refused on a sample, when run.
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  for (const char* whole_space_only : {"evolution", "controller-walk"}) {
    const auto strategy = Make(whole_space_only, Files());
    try {
      (void)RunOn(*strategy, device, f.inputs, f.Budget(50), 5, 0);
      FAIL() << whole_space_only << " ran on a sample";
    } catch (const ParseError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_NE(what.find("fbnet"), std::string::npos) << what;
    }
  }
  try {
    (void)Make("no-such-strategy");
    FAIL() << "an unknown strategy was accepted";
  } catch (const ParseError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const std::string& name : SampleStrategyNames()) EXPECT_NE(what.find(name), std::string::npos) << what;
  }
}

TEST(FbnetStrategies, EveryStrategyAnswersAProbedNetworkMeasuredWithinTheBudgetDeterministically) {
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  for (double q : {25.0, 50.0, 75.0}) {
    const double budget = f.Budget(q);
    for (const std::string& name : SampleStrategyNames()) {
      SCOPED_TRACE(name + " at p" + std::to_string(static_cast<int>(q)));
      const auto strategy = Make(name, Files());
      const SearchReport a = RunOn(*strategy, device, f.inputs, budget, 10, 3);
      const SearchReport b = RunOn(*strategy, device, f.inputs, budget, 10, 3);
      EXPECT_EQ(a.strategy, name);
      EXPECT_EQ(a.score_name, "multiply-adds");
      EXPECT_EQ(ProxyDeviceTable(f.inputs).name(), "scaled");
      EXPECT_EQ(a.probes_used, 10);
      ASSERT_EQ(a.trajectory.size(), b.trajectory.size());
      for (std::size_t i = 0; i < a.trajectory.size(); ++i) EXPECT_EQ(a.trajectory[i].index, b.trajectory[i].index);
      ASSERT_TRUE(a.answer.feasible);
      const ProbeRecord& c = a.answer.chosen;
      EXPECT_LE(c.measurement.latency_ms, budget);
      EXPECT_EQ(c.measurement.latency_ms, f.target.At(c.index));  // measured (replayed), never predicted
      // The best objective among the probed networks within the budget.
      for (const ProbeRecord& r : a.trajectory) {
        if (r.measurement.latency_ms <= budget) {
          EXPECT_LE(f.objective(r.index), a.answer.score);
        }
      }
      EXPECT_EQ(a.answer.score, f.objective(c.index));
    }
  }
}

TEST(FbnetStrategies, RandomDependsOnTheSeedAndNeverRepeatsANetwork) {
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  const auto strategy = Make("random");
  const SearchReport a = RunOn(*strategy, device, f.inputs, f.Budget(50), 40, 1);
  const SearchReport b = RunOn(*strategy, device, f.inputs, f.Budget(50), 40, 2);
  std::set<int> seen;
  for (const ProbeRecord& r : a.trajectory) seen.insert(r.index);
  EXPECT_EQ(seen.size(), 40u);
  bool differ = false;
  for (std::size_t i = 0; i < a.trajectory.size(); ++i) differ |= a.trajectory[i].index != b.trajectory[i].index;
  EXPECT_TRUE(differ);
}

TEST(FbnetStrategies, OneProxyWithAProxyExactUpToScaleFindsTheBestFeasibleNetwork) {
  // One probe fixes AdaProxy's scale α; the next probe is then the best objective predicted
  // (exactly) to fit: the best network within the budget, whatever the budget.
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  const auto strategy = Make("one-proxy");
  for (double q : {25.0, 50.0, 75.0}) {
    const double budget = f.Budget(q);
    const int best = BestWithinBudget(f.target.values(), f.objective.values(), budget);
    const SearchReport r = RunOn(*strategy, device, f.inputs, budget, 3, 0);
    ASSERT_TRUE(r.answer.feasible);
    EXPECT_EQ(r.answer.score, f.objective(best)) << "p" << q;
  }
}

TEST(FbnetStrategies, MatchedProxyFollowsTheTrainTableThatMatchesTheProbes) {
  // The proxy device is a decoy (other costs); one train table is the target up to scale. After
  // two probes that table fits the measurements exactly and is followed: within 5 probes the
  // best network within the budget is found (a miss before the first fit only lowers the aim).
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  SearchContext inputs = f.inputs;
  inputs.train_tables = {&f.other, &f.scaled};
  inputs.proxy = &f.other;
  const auto strategy = Make("matched-proxy");
  for (double q : {25.0, 50.0, 75.0}) {
    const double budget = f.Budget(q);
    const int best = BestWithinBudget(f.target.values(), f.objective.values(), budget);
    const SearchReport r = RunOn(*strategy, device, inputs, budget, 5, 0);
    EXPECT_EQ(ProxyDeviceTable(inputs).name(), "other");
    ASSERT_TRUE(r.answer.feasible) << "p" << q;
    EXPECT_EQ(r.answer.score, f.objective(best)) << "p" << q;
  }
}

TEST(FbnetStrategies, AnAnswerIsInfeasibleWhenNothingProbedFits) {
  const Fixture f;
  TableDevice device("table:target", f.target, f.numbering);
  const double below_all = *std::min_element(f.target.values().begin(), f.target.values().end()) / 2;
  for (const std::string& name : SampleStrategyNames()) {
    const auto strategy = Make(name, Files());
    const SearchReport r = RunOn(*strategy, device, f.inputs, below_all, 5, 0);
    EXPECT_FALSE(r.answer.feasible) << name;
    EXPECT_TRUE(r.answer.found) << name;
  }
}

}  // namespace
}  // namespace simnas
