// Proxy aggregates as data (issue 11): the recipes of configs/aggregates.json, their
// combinations, the shipped "freerea" and "rank" recipes against the old fixed definitions on the
// committed tables, refusals; and the proxy table format v2 beside v1.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/bench/proxy_ceiling.h"
#include "simnas/controller/controller_model.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxy_tradeoff.h"
#include "simnas/proxies/zoo.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

fs::path ShippedConfigs() { return fs::path(SIMNAS_TEST_DIR).parent_path() / "configs"; }

// The definitions the ProxyAggregate enum had before recipes (transcribed from the old
// ProxyScores): min-max normalized sum, -inf -> 0; and normalized rank sum, -inf last.
std::vector<double> OldFreeRea(const ProxyTable& t) {
  std::vector<double> out(t.skip.size(), 0.0);
  for (const std::vector<double>* column : {&t.naswot, &t.logsynflow, &t.skip}) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double x : *column) {
      if (std::isfinite(x)) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double x = (*column)[i];
      out[i] += std::isfinite(x) && hi > lo ? (x - lo) / (hi - lo) : 0.0;
    }
  }
  return out;
}

std::vector<double> OldRank(const ProxyTable& t) {
  std::vector<double> out(t.skip.size(), 0.0);
  for (const std::vector<double>* column : {&t.naswot, &t.logsynflow, &t.skip}) {
    std::vector<double> finite(*column);
    double lo = std::numeric_limits<double>::infinity();
    for (double x : finite) {
      if (std::isfinite(x)) lo = std::min(lo, x);
    }
    for (double& x : finite) {
      if (!std::isfinite(x)) x = lo - 1;
    }
    const std::vector<double> r = Ranks(finite);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += (r[i] - 1) / static_cast<double>(r.size() - 1);
  }
  return out;
}

TEST(ProxyAggregates, ShippedFreeReaAndRankGiveTheOldScoresOnTheCommittedTables) {
  const ProxyAggregate freerea = ParseProxyAggregate("freerea", ShippedConfigs());
  const ProxyAggregate rank = ParseProxyAggregate("rank", ShippedConfigs());
  EXPECT_EQ(freerea, ProxyAggregate::kFreeRea);
  EXPECT_EQ(rank, ProxyAggregate::kRank);
  int tables = 0;
  for (Dataset dataset : kAllDatasets) {
    const fs::path path = testing::RepoProxyTable(dataset);
    if (!fs::exists(path)) continue;
    ++tables;
    const ProxyTable table = LoadProxyTable(path, dataset);
    const std::vector<double> old_freerea = OldFreeRea(table), old_rank = OldRank(table);
    const ProxyScores a(table, freerea), b(table, rank);
    int differing = 0;
    for (std::size_t i = 0; i < old_freerea.size(); ++i) {
      differing += a.values()[i] != old_freerea[i] || b.values()[i] != old_rank[i] ? 1 : 0;
    }
    EXPECT_EQ(differing, 0) << DatasetName(dataset);
  }
  if (tables == 0) GTEST_SKIP() << "no committed proxy table";
}

TEST(ProxyAggregates, ShippedRecipesAllParse) {
  const std::vector<ProxyAggregate> all = LoadProxyAggregates(ShippedConfigs());
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[0].name, "freerea");
  const ProxyAggregate az = ParseProxyAggregate("az_nas", ShippedConfigs());
  EXPECT_EQ(az.combination, ProxyCombination::kLogRankSum);
  EXPECT_EQ(az.proxies.size(), 4u);
}

ProxyTable SmallTable() {
  ProxyTable t;
  t.naswot = {1, 2, 3, -std::numeric_limits<double>::infinity()};
  t.logsynflow = {10, 40, 20, 30};
  t.skip = {0, 0, 1, 1};
  t.zoo["meco"] = {4, 3, 2, 1};
  return t;
}

TEST(ProxyAggregates, CombinationsByConstruction) {
  const ProxyTable t = SmallTable();
  // Ranks (1-based, ascending, ties averaged, -inf last): naswot 2 3 4 1; meco 4 3 2 1.
  const ProxyScores log_rank(t, ProxyAggregate{"x", {"naswot", "meco"}, ProxyCombination::kLogRankSum});
  EXPECT_DOUBLE_EQ(log_rank(0), std::log(2.0 / 4) + std::log(4.0 / 4));
  EXPECT_DOUBLE_EQ(log_rank(3), std::log(1.0 / 4) + std::log(1.0 / 4));
  const ProxyScores rank_sum(t, ProxyAggregate{"y", {"skip", "meco"}, ProxyCombination::kRankSum});
  // skip ranks 1.5 1.5 3.5 3.5 -> (r-1)/3.
  EXPECT_DOUBLE_EQ(rank_sum(2), 2.5 / 3 + 1.0 / 3);
  const ProxyScores minmax(t, ProxyAggregate{"z", {"logsynflow", "naswot"}, ProxyCombination::kMinMaxSum});
  EXPECT_DOUBLE_EQ(minmax(1), 1.0 + 0.5);
  EXPECT_DOUBLE_EQ(minmax(3), 20.0 / 30 + 0.0);  // -inf -> 0
}

TEST(ProxyAggregates, RefusesARecipeNamingAProxyTheTableLacksInOneLine) {
  // A v1 table (FreeREA's three columns, no zoo), written and read back.
  testing::TempDir dir;
  const fs::path path = dir / "v1.csv";
  ProxyTable written;
  written.dataset = Dataset::kCifar10;
  for (int i = 0; i < kNumCells; ++i) {
    written.naswot.push_back(600 + i % 97);
    written.logsynflow.push_back(1e5 + i % 89);
    written.skip.push_back(0.5 * (i % 3));
  }
  SaveProxyTable(path, written);
  const ProxyTable v1 = LoadProxyTable(path, Dataset::kCifar10);
  ASSERT_TRUE(v1.zoo.empty());
  try {
    ProxyScores(v1, ParseProxyAggregate("az_nas", ShippedConfigs()));
    FAIL() << "az_nas accepted on a v1 table";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("az_nas"), std::string::npos) << what;
    EXPECT_NE(what.find("az_expressivity"), std::string::npos) << what;
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

// The default recipe is data too: aggregates.json's "_default" (freerea without one), and the
// shipped default can score every committed table.
TEST(ProxyAggregates, DefaultRecipeComesFromTheFile) {
  testing::TempDir dir;
  WriteFileAtomically(dir / "aggregates.json", R"({"a": {"proxies": ["meco"], "combination": "rank_sum"}})");
  EXPECT_EQ(DefaultProxyAggregateName(dir.path()), "freerea");
  WriteFileAtomically(dir / "aggregates.json",
                      R"({"_default": "a", "a": {"proxies": ["meco"], "combination": "rank_sum"}})");
  EXPECT_EQ(DefaultProxyAggregateName(dir.path()), "a");
  EXPECT_EQ(ParseProxyAggregateOrDefault("", dir.path()).proxies, std::vector<std::string>{"meco"});
  EXPECT_THROW(ParseProxyAggregateOrDefault("b", dir.path()), ParseError);
  for (const char* bad : {R"({"_default": "b", "a": {"proxies": ["meco"], "combination": "rank_sum"}})",
                          R"({"_default": 3, "a": {"proxies": ["meco"], "combination": "rank_sum"}})"}) {
    WriteFileAtomically(dir / "aggregates.json", bad);
    try {
      DefaultProxyAggregateName(dir.path());
      FAIL() << bad;
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("_default"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("aggregates.json"), std::string::npos) << e.what();
    }
  }
  const ProxyAggregate shipped = ParseProxyAggregateOrDefault("", ShippedConfigs());
  EXPECT_EQ(shipped.name, DefaultProxyAggregateName(ShippedConfigs()));
  for (Dataset dataset : kAllDatasets) {
    const fs::path path = testing::RepoProxyTable(dataset);
    EXPECT_NO_THROW(ProxyScores(LoadProxyTable(path, dataset), shipped)) << path;
  }
}

// A strategy and the committed controllers must rank cells by the same recipe: the models record
// the aggregate they were trained on.
TEST(ProxyAggregates, CommittedControllersWereTrainedOnTheDefaultRecipe) {
  const fs::path models = fs::path(SIMNAS_TEST_DIR).parent_path() / "models" / "controller" / "nb201";
  for (const char* name : {"default.ctl", "unconstrained.ctl"}) {
    const ControllerModel model = LoadControllerModel(models / name);
    ASSERT_TRUE(model.provenance.contains("aggregate")) << name;
    EXPECT_EQ(model.provenance["aggregate"].get<std::string>(), DefaultProxyAggregateName(ShippedConfigs())) << name;
  }
}

TEST(ProxyAggregates, RefusesUnknownOrMalformedRecipes) {
  testing::TempDir dir;
  try {
    ParseProxyAggregate("nope", ShippedConfigs());
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("aggregates.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("freerea"), std::string::npos) << e.what();
  }
  WriteFileAtomically(dir / "aggregates.json", R"({"a": {"proxies": ["naswot", "bogus"], "combination": "rank_sum"}})");
  EXPECT_THROW(LoadProxyAggregates(dir.path()), DataError);
  WriteFileAtomically(dir / "aggregates.json", R"({"a": {"proxies": ["naswot"], "combination": "median"}})");
  EXPECT_THROW(LoadProxyAggregates(dir.path()), DataError);
  WriteFileAtomically(dir / "aggregates.json", R"({"a": {"proxies": ["meco"], "combination": "rank_sum"}})");
  EXPECT_EQ(ParseProxyAggregate("a", dir.path()).proxies, std::vector<std::string>{"meco"});
  EXPECT_EQ(ParseProxyAggregate("rank"), ProxyAggregate::kRank);
  EXPECT_THROW(ParseProxyAggregate("a"), ParseError);  // only built-ins without a configs folder
}

// ---------------------------------------------------------------------------------------
// Table format v2

// Every committed table of every space (older formats included) saves in the one format and reads
// back bit-identical, column by column.
TEST(ProxyTableFormat, CommittedTablesOfEverySpaceSaveBackBitIdentical) {
  testing::TempDir dir;
  int tables = 0;
  for (const Space* space : Spaces()) {
    for (Dataset dataset : space->Datasets()) {
      const fs::path path = ProxyTableFile(testing::RepoFile("tables/proxies"), *space, dataset);
      if (!fs::exists(path)) continue;
      ++tables;
      // A shipped table may be a sample of the numbering (ofa-mbv3's): its rows are checked all the same.
      const ProxyTable t = LoadPartialProxyTable(path, space->LoadNumbering(testing::Data().dir()), dataset);
      SaveProxyTable(dir / "back.csv", t);
      const ProxyTable back = LoadPartialProxyTable(dir / "back.csv", t.size(), dataset);
      const auto same = [&](const std::vector<double>& a, const std::vector<double>& b, std::string_view name) {
        ASSERT_EQ(a.size(), b.size()) << path << " " << name;
        for (std::size_t i = 0; i < a.size(); ++i) {
          if (std::isnan(a[i]) && std::isnan(b[i])) continue;
          ASSERT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i])) << path << " " << name << " " << i;
        }
      };
      same(t.naswot, back.naswot, "naswot");
      same(t.logsynflow, back.logsynflow, "logsynflow");
      same(t.skip, back.skip, "skip");
      ASSERT_EQ(t.zoo.size(), back.zoo.size()) << path;
      for (const auto& [name, column] : t.zoo) same(column, back.zoo.at(name), name);
      EXPECT_EQ(back.arch, t.arch) << path;
      EXPECT_EQ(ReadFile(dir / "back.csv").rfind("# simnas proxy table v3\n", 0), 0u);
    }
  }
  EXPECT_GE(tables, 4) << "the committed tables: three NAS-Bench-201 datasets and FBNet's";
}

// The search's scores in every space: the space's default recipe over its committed table, one
// per candidate, named after the recipe; a score the space computes itself needs no table; a
// dataset the space does not score is refused in one line.
TEST(ProxyScoreSources, EverySpaceRanksByItsDefaultRecipeOverItsTable) {
  const ScoreFiles files{testing::RepoFile("tables/proxies"), {}, testing::RepoFile("configs")};
  int spaces = 0;
  for (const Space* space : Spaces()) {
    const Dataset dataset = space->Datasets().front();
    const fs::path path = ProxyTableFile(files.proxy_tables_dir, *space, dataset);
    if (!fs::exists(path)) continue;
    ++spaces;
    const CandidateSet candidates = space->LoadNumbering(testing::Data().dir());
    if (LoadPartialProxyTable(path, candidates, dataset).Filled() < candidates.size()) {
      // A table over a sample (ofa-mbv3's) ranks no search: a recipe over it is refused.
      EXPECT_THROW((void)MakeScoreTable(candidates, dataset, "", files), DataError) << space->name();
      continue;
    }
    const ScoreTable scores = MakeScoreTable(candidates, dataset, "", files);
    const std::string recipe = DefaultProxyAggregateName(files.configs_dir, *space);
    EXPECT_EQ(scores.name(), recipe) << space->name();
    EXPECT_EQ(scores.size(), candidates.size()) << space->name();
    const ProxyScores expected(LoadProxyTable(path, candidates, dataset), ParseProxyAggregate(recipe, files.configs_dir));
    EXPECT_EQ(scores.values(), expected.values()) << space->name();
    std::vector<Dataset> others;
    for (Dataset d : kAllDatasets) {
      const std::vector<Dataset> own = space->Datasets();
      if (std::find(own.begin(), own.end(), d) == own.end()) others.push_back(d);
    }
    if (!others.empty()) {
      EXPECT_THROW((void)MakeScoreTable(candidates, others.front(), "", files), ParseError);
    }
  }
  EXPECT_GE(spaces, 2);
  EXPECT_EQ(DefaultProxyAggregateName(testing::RepoFile("configs"), FindSpace("fbnet")), "fbnet-freerea");
  EXPECT_EQ(DefaultProxyAggregateName(testing::RepoFile("configs"), FindSpace("nb201")),
            DefaultProxyAggregateName(testing::RepoFile("configs")));
}

TEST(ProxyTableFormat, V2RoundTripsTheZooColumns) {
  testing::TempDir dir;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProxyTable t;
  t.dataset = Dataset::kCifar10;
  t.naswot.assign(kNumCells, nan);
  t.logsynflow.assign(kNumCells, nan);
  t.skip.assign(kNumCells, nan);
  for (const std::string_view name : kZooProxyNames) t.zoo[std::string(name)].assign(kNumCells, nan);
  for (int i : {4, 77}) {
    t.naswot[static_cast<std::size_t>(i)] = 600 + i;
    t.logsynflow[static_cast<std::size_t>(i)] = 1e5 + i;
    t.skip[static_cast<std::size_t>(i)] = 0.5;
    for (std::size_t z = 0; z < kZooProxyNames.size(); ++z) {
      t.zoo[std::string(kZooProxyNames[z])][static_cast<std::size_t>(i)] = 0.125 * static_cast<double>(z) - i;
    }
  }
  t.zoo["az_trainability"][4] = -std::numeric_limits<double>::infinity();
  SaveProxyTable(dir / "v2.csv", t);
  const std::string text = ReadFile(dir / "v2.csv");
  EXPECT_EQ(text.rfind("# simnas proxy table v3\n", 0), 0u);
  EXPECT_NE(text.find("index,naswot,logsynflow,skip,meco,zico,synflow"), std::string::npos);
  const ProxyTable back = LoadPartialProxyTable(dir / "v2.csv", Dataset::kCifar10);
  ASSERT_EQ(back.zoo.size(), kZooProxyNames.size());
  for (const std::string_view name : kZooProxyNames) {
    for (int i : {4, 77}) {
      EXPECT_EQ(back.zoo.at(std::string(name))[static_cast<std::size_t>(i)],
                t.zoo.at(std::string(name))[static_cast<std::size_t>(i)])
          << name;
    }
    EXPECT_TRUE(std::isnan(back.zoo.at(std::string(name))[5]));
  }
  EXPECT_EQ(back.Column("meco"), &back.zoo.at("meco"));
  EXPECT_EQ(back.Column("nope"), nullptr);
  // A zoo column that is not a zoo proxy, or a short row: refused.
  WriteFileAtomically(dir / "bad.csv", "index,naswot,logsynflow,skip,bogus\n");
  EXPECT_THROW(LoadPartialProxyTable(dir / "bad.csv", Dataset::kCifar10), DataError);
  WriteFileAtomically(dir / "short.csv", "index,naswot,logsynflow,skip,meco\n1,2,3,0\n");
  EXPECT_THROW(LoadPartialProxyTable(dir / "short.csv", Dataset::kCifar10), DataError);
}

// ---------------------------------------------------------------------------------------
// The report: within-budget ceilings and the scores it judges

TEST(ProxyCeiling, MeanCeilingOnAFixtureKnownByConstruction) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Known cells 0..6: latency (ms), score, accuracy.
  const std::vector<std::pair<int, double>> latency = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 5}, {6, 4.5}};
  std::vector<double> score(kNumCells, nan), accuracy(kNumCells, 99);  // unknown cells are never chosen
  const double s[] = {0.1, 0.9, 0.5, 0.95, 0.99, 0.99, 0.99};
  for (int i = 0; i < 7; ++i) {
    score[static_cast<std::size_t>(i)] = s[i];
    accuracy[static_cast<std::size_t>(i)] = 10.0 * (i + 1);
  }
  CeilingTaskSet set;
  set.name = "fixture";
  for (double budget : {2.5, 4.0, 10.0, 0.5}) {
    set.tasks.push_back({"dev", "b", budget});
    set.latency.push_back(GroundTruth::FromSample(latency, kNumCells, "fixture"));
  }
  // 2.5 ms: cells 0, 1 -> 1 (20). 4 ms: 0..3 -> 3 (40). 10 ms: score 0.99 ties between 4, 5
  // (5 ms) and 6 (4.5 ms) -> the faster, 6 (70). 0.5 ms: no cell -> 0.
  EXPECT_DOUBLE_EQ(MeanCeiling(set, score, accuracy), (20.0 + 40 + 70 + 0) / 4);
  // Cell 3 without a score (a partial table): 4 ms -> cell 1 (20).
  score[3] = nan;
  EXPECT_DOUBLE_EQ(MeanCeiling(set, score, accuracy), (20.0 + 20 + 70 + 0) / 4);
  // -inf (a singular kernel) is never chosen either.
  score[6] = -std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(MeanCeiling(set, score, accuracy), (20.0 + 20 + 50 + 0) / 4);
}

TEST(ProxyCeiling, ReportTaskSetsFollowHelpAndThePercentileGroups) {
  const std::vector<CeilingTaskSet> sets = ReportCeilingTaskSets(testing::Data().space_data());
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].tasks.size(), 15u);
  EXPECT_EQ(sets[1].tasks.size(), 3 * testing::Data().TrainDevices().size());
  EXPECT_EQ(sets[2].tasks.size(), 3 * testing::Data().TestDevices().size());
  EXPECT_EQ(sets[1].tasks[1].label, "p50");
  EXPECT_DOUBLE_EQ(sets[1].tasks[1].budget_ms, sets[1].latency[1].Percentile(50));
}

TEST(ProxyReport, ReportedScoresOfACompleteTableAreTheRecipes) {
  const fs::path path = testing::RepoProxyTable(Dataset::kCifar100);
  if (!fs::exists(path)) GTEST_SKIP() << "no committed proxy table";
  ProxyTable table = LoadProxyTable(path, Dataset::kCifar100);
  table.zoo.clear();  // FreeREA's columns only (a v1 table), whatever the committed table has
  const std::vector<ReportedScore> scores = ReportedScores(table, LoadProxyAggregates(ShippedConfigs()));
  // naswot, logsynflow, skip, freerea, rank (the other recipes need zoo columns), fbnet-freerea (naswot +
  // logsynflow: the FBNet recipe, computable on NAS-Bench-201 too).
  ASSERT_EQ(scores.size(), 6u);
  EXPECT_EQ(scores[5].name, "fbnet-freerea");
  EXPECT_EQ(scores[3].name, "freerea");
  EXPECT_EQ(scores[3].score, ProxyScores(table, ProxyAggregate::kFreeRea).values());
  EXPECT_EQ(scores[4].score, ProxyScores(table, ProxyAggregate::kRank).values());
  const RankAgreement r = AgreementWithAccuracy(scores[1].score, testing::Data().Accuracy(Dataset::kCifar100).test_accuracy);
  EXPECT_EQ(r.cells, kNumCells);
  EXPECT_DOUBLE_EQ(r.kendall_tau, KendallTau(table.logsynflow, testing::Data().Accuracy(Dataset::kCifar100).test_accuracy));
}

}  // namespace
// ---------------------------------------------------------------------------------------
// Cost against ceiling (proxy_tradeoff.h)

TEST(ProxyTradeoff, ReadsTheMedianCostOfEveryScoreFromBenchmarkJson) {
  testing::TempDir dir;
  const fs::path file = dir / "bench.json";
  WriteFileAtomically(file, R"({"context": {}, "benchmarks": [
    {"name": "BM_ScoreCost/meco/iterations:1/repeats:40/real_time_mean", "run_name": "BM_ScoreCost/meco/iterations:1/repeats:40/real_time",
     "run_type": "aggregate", "aggregate_name": "mean", "real_time": 99.0, "time_unit": "ms"},
    {"name": "BM_ScoreCost/meco/iterations:1/repeats:40/real_time_median", "run_name": "BM_ScoreCost/meco/iterations:1/repeats:40/real_time",
     "run_type": "aggregate", "aggregate_name": "median", "real_time": 41.5, "time_unit": "ms"},
    {"name": "BM_ScoreCost/skip/iterations:1/repeats:40/real_time_median", "run_name": "BM_ScoreCost/skip/iterations:1/repeats:40/real_time",
     "run_type": "aggregate", "aggregate_name": "median", "real_time": 2500.0, "time_unit": "ns"},
    {"name": "BM_Zoo/1/16/iterations:1/repeats:40/real_time_median", "run_name": "BM_Zoo/1/16/iterations:1/repeats:40/real_time",
     "run_type": "aggregate", "aggregate_name": "median", "real_time": 300.0, "time_unit": "ms"}]})");
  const std::map<std::string, double> costs = LoadScoreCosts(file);
  ASSERT_EQ(costs.size(), 2u);
  EXPECT_DOUBLE_EQ(costs.at("meco"), 41.5);
  EXPECT_DOUBLE_EQ(costs.at("skip"), 0.0025);

  WriteFileAtomically(file, R"({"benchmarks": [{"name": "BM_Zoo/1/16", "real_time": 3.0}]})");
  EXPECT_THROW(LoadScoreCosts(file), DataError);
  WriteFileAtomically(file, "not json");
  try {
    LoadScoreCosts(file);
    ADD_FAILURE() << "a file that is not JSON was read";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

TEST(ProxyTradeoff, ScriptPlotsEveryScoreWithACostAndNamesIt) {
  const std::vector<TradeoffPoint> points = {{"meco", false, 0.45, 93.1, 40.0},
                                             {"freerea", true, 0.42, 93.4, 120.0},
                                             {"no_cost", false, 0.5, 92.0, std::nan("")}};
  const std::string script = TradeoffScript(points, "cifar10", "train p25/50/75");
  EXPECT_NE(script.find("40 93.1 0.45 \"meco\" 0"), std::string::npos) << script;
  EXPECT_NE(script.find("120 93.4 0.42 \"freerea\" 1"), std::string::npos) << script;
  EXPECT_EQ(script.find("no_cost"), std::string::npos) << script;
  EXPECT_NE(script.find("set logscale x"), std::string::npos);
}

}  // namespace simnas
