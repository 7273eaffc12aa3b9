// Typed benchmark run records (bench/run_record.h): rows of runs.jsonl read into RunRecord and
// written back give the same bytes, and a malformed row is named by file, line and field. No
// data folder.
#include "simnas/bench/run_record.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "simnas/core/error.h"
#include "test_support.h"

namespace simnas {
namespace {

// Rows as the benchmark wrote them: four of the committed docs/benchmark/runs.jsonl.gz (a
// feasible HELP answer, an infeasible one, an unconstrained one with its reward, the one run
// whose device failed) and one written with a config digest (`simnas bench`, this version).
const std::vector<std::string> kRows = {
    R"({"accuracy":56.650000000000006,"arch":"|none~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|skip_connect)"
     R"(~1|avg_pool_3x3~2|","budget_label":"18ms","budget_ms":18.0,"dataset":"cifar100","device":"table:tita)"
     R"(n_rtx_256","feasible":true,"found":true,"ground_truth_complete":true,"group":"help","index":6684,"ke)"
     R"(y":"help|table:titan_rtx_256|cifar100|18ms|random|10|0","kind":"help","latency_ms":10.23789882659912)"
     R"(1,"latency_percentile":0.055744,"oracle_accuracy":70.825,"oracle_index":15363,"probes":10,"probes_us)"
     R"(ed":10,"proxy":0.8859575805977569,"proxy_oracle_accuracy":68.31666666666668,"proxy_oracle_index":141)"
     R"(12,"regret":14.174999999999997,"seed":0,"strategy":"random","trajectory":[730,11844,10522,11295,3771)"
     R"(,3233,15252,2699,6684,3786],"true_feasible":true,"true_latency_ms":10.237898826599121,"wall_s":1.626)"
     R"(4e-05})",
    R"({"accuracy":63.46,"arch":"|none~0|+|skip_connect~0|avg_pool_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|no)"
     R"(r_conv_1x1~2|","budget_label":"18ms","budget_ms":18.0,"dataset":"cifar100","device":"table:titan_rtx)"
     R"(_256","feasible":false,"found":true,"ground_truth_complete":true,"group":"help","index":10345,"key":)"
     R"("help|table:titan_rtx_256|cifar100|18ms|random|5|3","kind":"help","latency_ms":18.003826141357422,"l)"
     R"(atency_percentile":0.49248,"oracle_accuracy":70.825,"oracle_index":15363,"probes":5,"probes_used":5,)"
     R"("proxy":1.1318394683117,"proxy_oracle_accuracy":68.31666666666668,"proxy_oracle_index":14112,"regret)"
     R"(":7.365000000000002,"seed":3,"strategy":"random","trajectory":[10345,7264,808,14468,5986],"true_feas)"
     R"(ible":false,"true_latency_ms":18.003826141357422,"wall_s":4.046e-06})",
    R"({"accuracy":56.650000000000006,"arch":"|none~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|skip_connect)"
     R"(~1|avg_pool_3x3~2|","budget_label":"none","budget_ms":null,"dataset":"cifar100","device":"table:eyer)"
     R"(iss","feasible":true,"found":true,"ground_truth_complete":true,"group":"test-unconstrained","index":)"
     R"(6684,"key":"test-unconstrained|table:eyeriss|cifar100|none|random|10|0","kind":"unconstrained","late)"
     R"(ncy_ms":3.399860000000001,"latency_percentile":0.132672,"oracle_accuracy":73.50333333333333,"oracle_)"
     R"(index":9930,"probes":10,"probes_used":10,"proxy":0.8859575805977569,"proxy_oracle_accuracy":68.31666)"
     R"(666666668,"proxy_oracle_index":14112,"regret":16.853333333333325,"reward":1.1222499066167868,"seed":)"
     R"(0,"strategy":"random","trajectory":[730,11844,10522,11295,3771,3233,15252,2699,6684,3786],"true_feas)"
     R"(ible":true,"true_latency_ms":3.399860000000001,"wall_s":8.192e-06})",
    R"({"budget_label":"p25","budget_ms":3.71626275,"dataset":"cifar100","device":"local","error":"device l)"
     R"(ocal:threads=1,batch=1,input=32: timings of |skip_connect~0|+|skip_connect~0|none~1|+|skip_connect~0)"
     R"(|skip_connect~1|skip_connect~2| stayed too noisy (relative IQR 10.1% > 10.0% after 3 tries); is the )"
     R"(machine busy?","feasible":false,"found":false,"ground_truth_complete":false,"group":"local","key":"l)"
     R"(ocal|local|cifar100|p25|one-proxy|10|0","kind":"percentile","oracle_accuracy":71.28999999999999,"ora)"
     R"(cle_index":14714,"probes":10,"proxy_oracle_accuracy":70.725,"proxy_oracle_index":8768,"seed":0,"stra)"
     R"(tegy":"one-proxy","true_feasible":false})",
    R"({"accuracy":56.650000000000006,"arch":"|none~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|skip_connect)"
     R"(~1|avg_pool_3x3~2|","budget_label":"none","budget_ms":null,"config_digest":"3b3a4a14ff07117982b56531)"
     R"(3449b4e0c60879c5c71a13ec7ef213f46b702676","dataset":"cifar100","device":"table:eyeriss","feasible":t)"
     R"(rue,"found":true,"ground_truth_complete":true,"group":"test-free","index":6684,"key":"test-free|tabl)"
     R"(e:eyeriss|cifar100|none|random|10|0","kind":"unconstrained","latency_ms":3.399860000000001,"latency_)"
     R"(percentile":0.132672,"oracle_accuracy":73.50333333333333,"oracle_index":9930,"probes":10,"probes_use)"
     R"(d":10,"proxy":0.8859575805977569,"proxy_oracle_accuracy":68.31666666666668,"proxy_oracle_index":1411)"
     R"(2,"regret":16.853333333333325,"reward":1.1222499066167868,"seed":0,"strategy":"random","trajectory":)"
     R"([730,11844,10522,11295,3771,3233,15252,2699,6684,3786],"true_feasible":true,"true_latency_ms":3.3998)"
     R"(60000000001,"wall_s":8.365e-06})"};

TEST(RunRecord, WrittenRowsReadBackAndWriteTheSameBytes) {
  for (const std::string& line : kRows) {
    const RunRecord record = RunRecordFromJson(nlohmann::json::parse(line));
    EXPECT_EQ(RunRecordToJson(record).dump(), line);
  }
  // The fields land where the report reads them.
  const RunRecord help = RunRecordFromJson(nlohmann::json::parse(kRows[0]));
  EXPECT_EQ(help.group, "help");
  ASSERT_TRUE(help.found());
  EXPECT_EQ(help.answer->index, 6684);
  EXPECT_EQ(help.trajectory.size(), 10u);
  EXPECT_FALSE(help.config_digest.has_value());
  const RunRecord failed = RunRecordFromJson(nlohmann::json::parse(kRows[3]));
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_FALSE(failed.found());
  const RunRecord free = RunRecordFromJson(nlohmann::json::parse(kRows[4]));
  EXPECT_FALSE(free.budget_ms.has_value());
  ASSERT_TRUE(free.answer && free.answer->reward);
  EXPECT_TRUE(free.config_digest.has_value());
}

TEST(RunRecord, ARunWithoutAnAnswerRoundTrips) {
  RunRecord r = RunRecordFromJson(nlohmann::json::parse(kRows[1]));
  r.answer.reset();
  r.feasible = r.true_feasible = false;
  const nlohmann::json j = RunRecordToJson(r);
  EXPECT_FALSE(j["found"].get<bool>());
  EXPECT_FALSE(j.contains("index"));
  EXPECT_TRUE(j.contains("trajectory"));
  EXPECT_EQ(RunRecordToJson(RunRecordFromJson(j)), j);
}

// A row of a space without accuracy written before every row carried the score block: the block
// under the space's name (the prefix of its "<space>-<kind>" kind), accuracy null. It reads into
// the one record (no accuracy, the score block) and is written with the block as "score".
TEST(RunRecord, AnEarlierRowWithItsScoreBlockUnderItsSpacesNameReadsIntoTheOneRecord) {
  const std::string line =
      R"({"accuracy":null,"arch":"a","budget_label":"p25","budget_ms":4.9,"config_digest":"d","dataset":"cifar100",)"
      R"("device":"table:eyeriss","fbnet":{"answer_objective":0.67,"best_index":196,"best_objective":0.99,)"
      R"("candidates":5000,"feasible_candidates":1250,"objective":"proxy fbnet-freerea","proxy_device":"titanxp_32",)"
      R"("rank_share":0.6792,"regret":0.32},"feasible":true,"found":true,"ground_truth_complete":true,"group":"fbnet",)"
      R"("index":1964,"key":"fbnet|table:eyeriss|cifar100|p25|default|10|0","kind":"fbnet-percentile",)"
      R"("latency_ms":4.6,"latency_percentile":0.09,"oracle_accuracy":null,"oracle_index":196,"probes":10,)"
      R"("probes_used":10,"proxy":0.67,"proxy_oracle_accuracy":null,"proxy_oracle_index":196,"regret":null,"seed":0,)"
      R"("strategy":"default","trajectory":[2975,1964],"true_feasible":true,"true_latency_ms":4.6,"wall_s":0.0005})";
  const RunRecord r = RunRecordFromJson(nlohmann::json::parse(line));
  ASSERT_TRUE(r.score.has_value());
  EXPECT_EQ(r.score->objective, "proxy fbnet-freerea");
  EXPECT_EQ(r.score->candidates, 5000);
  ASSERT_TRUE(r.score->regret.has_value());
  EXPECT_DOUBLE_EQ(*r.score->regret, 0.32);
  EXPECT_FALSE(r.oracle_accuracy.has_value());
  ASSERT_TRUE(r.answer.has_value());
  EXPECT_FALSE(r.answer->accuracy.has_value());
  EXPECT_FALSE(r.answer->regret.has_value());
  // Written back: the same row with the block as "score".
  nlohmann::json expected = nlohmann::json::parse(line);
  expected["score"] = expected["fbnet"];
  expected.erase("fbnet");
  EXPECT_EQ(RunRecordToJson(r), expected);
  // A row of the default space has no prefix to look under and no block: none is made up.
  EXPECT_FALSE(RunRecordFromJson(nlohmann::json::parse(kRows[0])).score.has_value());
}

TEST(RunRecord, AMalformedRowIsNamedByFileLineAndFieldAndATornLineIsSkipped) {
  testing::TempDir dir;
  const auto path = dir / "runs.jsonl";
  {
    std::ofstream out(path);
    out << kRows[0] << "\n" << kRows[2] << "\n" << "{\"key\": \"torn";  // a kill in the middle of a write
  }
  const std::vector<RunRecord> rows = ReadRunRecords(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].kind, "unconstrained");
  EXPECT_TRUE(ReadRunRecords(dir / "absent.jsonl").empty());

  nlohmann::json bad = nlohmann::json::parse(kRows[1]);
  bad["probes"] = "ten";
  {
    std::ofstream out(path);
    out << kRows[0] << "\n" << kRows[2] << "\n" << bad.dump() << "\n";
  }
  try {
    ReadRunRecords(path);
    ADD_FAILURE() << "a row with a mistyped field was accepted";
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string() + ":3:"), std::string::npos) << what;
    EXPECT_NE(what.find("\"probes\""), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  bad = nlohmann::json::parse(kRows[0]);
  bad.erase("accuracy");
  try {
    RunRecordFromJson(bad);
    ADD_FAILURE() << "a found run without its accuracy was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("\"accuracy\" is missing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace simnas
