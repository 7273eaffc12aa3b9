// `simnas --space fbnet controller eval | trajectories | loo` on HELP's FBNet tables
// (PickerControllerCli, real data), and the summaries and trajectory data behind them on
// made-up rows (ScoreEval, hermetic).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "simnas/bench/evaluation.h"
#include "simnas/bench/trajectories.h"
#include "simnas/controller/controller_model.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/space/space_data.h"
#include "simnas/devices/table_device.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/strategies/picker_controller.h"
#include "simnas/strategies/search_runner.h"
#include "test_support.h"

namespace simnas {
namespace {
namespace fs = std::filesystem;

RunRecord MadeUpRun(const std::string& device, const std::string& budget, const std::string& strategy, bool feasible,
              double regret) {
  RunRecord r;
  r.device = device;
  r.budget_label = budget;
  r.budget_ms = budget == "p25" ? 1.0 : 2.0;
  r.strategy = strategy;
  r.probes_used = 10;
  r.feasible = feasible;
  RunScore score;
  score.objective = "o";
  score.feasible_candidates = budget == "p25" ? 1250 : 2500;
  score.best_objective = 1.0;
  if (feasible) {
    RunAnswer a;
    r.answer = a;
    score.answer_objective = 1.0 - regret;
    score.regret = regret;
    score.rank_share = regret / 10;
  }
  r.score = score;
  return r;
}

TEST(ScoreEval, OneRowPerDeviceBudgetAndStrategyThenOnePerStrategyOverAll) {
  const std::vector<RunRecord> runs = {MadeUpRun("fpga", "p25", "controller", true, 0.2),
                                       MadeUpRun("fpga", "p25", "controller", false, 0),
                                       MadeUpRun("fpga", "p25", "random", true, 0.4),
                                       MadeUpRun("fpga", "p75", "controller", true, 0.0),
                                       MadeUpRun("pixel2", "p25", "controller", true, 0.1)};
  const std::vector<ScoreEvalRow> rows = SummarizeScoreEval(runs);
  ASSERT_EQ(rows.size(), 6u);  // fpga p25 x2, fpga p75, pixel2 p25, all x2
  EXPECT_EQ(rows[0].device, "fpga");
  EXPECT_EQ(rows[0].budget_label, "p25");
  EXPECT_EQ(rows[0].feasible_candidates, 1250);
  EXPECT_EQ(rows[0].summary.strategy, "controller");
  EXPECT_EQ(rows[0].summary.runs, 2);
  EXPECT_EQ(rows[0].summary.violations, 1);
  EXPECT_DOUBLE_EQ(rows[0].summary.regret_mean, 0.2);
  EXPECT_EQ(rows[1].summary.strategy, "random");
  EXPECT_EQ(rows[2].budget_label, "p75");
  EXPECT_DOUBLE_EQ(rows[2].budget_ms, 2.0);
  EXPECT_EQ(rows[3].device, "pixel2");
  EXPECT_EQ(rows[4].device, "all");
  EXPECT_EQ(rows[4].summary.strategy, "controller");
  EXPECT_EQ(rows[4].summary.runs, 4);
  EXPECT_EQ(rows[4].summary.violations, 1);
  EXPECT_NEAR(rows[4].summary.regret_mean, 0.1, 1e-12);  // (0.2 + 0 + 0.1) / 3 feasible
  EXPECT_EQ(rows[5].summary.strategy, "random");
  const std::string md = ScoreEvalRowsToMarkdown(rows, "objective x", "fbnet");
  EXPECT_NE(md.find("fbnet: answers are scored"), std::string::npos) << md;
  EXPECT_NE(md.find("proxy regret"), std::string::npos) << md;
  EXPECT_EQ(testing::CountLines(md), 2 + 2 + 6);  // the sentence, a blank line, header, rule, rows
  const nlohmann::json j = ScoreEvalRowsToJson(rows, "objective x", "fbnet");
  EXPECT_TRUE(j["accuracy"].is_null());
  EXPECT_EQ(j["rows"].size(), 6u);
}

TEST(ScoreEval, TrajectoryDataHasOneGnuplotIndexPerDevice) {
  DeviceTrajectory a{"fpga", 1.5, {{"x", 1.0, 0.25, 0.5, false}, {"y", 1.2, 0.4, 0.9, true}}};
  DeviceTrajectory b{"pixel2", 20, {{"x", 18.0, 0.3, 0.5, true}}};
  const std::string dat = TrajectoriesDat({a, b}, "objective_rank_percentile");
  EXPECT_EQ(dat,
            "# per device: step latency_percentile objective_rank_percentile latency_ms arch\n"
            "# device fpga budget 1.5 ms\n0 0.2500 0.5000 1 x\n1 0.4000 0.9000 1.2 y\n\n\n"
            "# device pixel2 budget 20 ms\n0 0.3000 0.5000 18 x\n\n\n");
}

// The probe lines of each "# device" block of a trajectories .dat file.
std::map<std::string, std::vector<std::vector<std::string>>> DatBlocks(const fs::path& dat) {
  std::map<std::string, std::vector<std::vector<std::string>>> blocks;
  std::ifstream in(dat);
  std::string line, device;
  while (std::getline(in, line)) {
    if (line.rfind("# device ", 0) == 0) {
      device = Split(line, ' ')[2];
      blocks[device];
    } else if (!line.empty() && line[0] != '#') {
      blocks[device].push_back(Split(line, ' '));
    }
  }
  return blocks;
}

TEST(PickerControllerCli, EvalScoresEveryDeviceAndBudgetByProxyRegret) {
  const testing::TempDir dir;
  const auto r = testing::RunCli({"--space", "fbnet", "controller", "eval", "--devices", "fpga,pixel2", "--percentiles",
                                  "25,75", "--seeds", "2", "--json", "--out", (dir / "eval.md").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["accuracy"].is_null());
  EXPECT_NE(j["scored_by"].get<std::string>().find("proxy regret"), std::string::npos);
  EXPECT_NE(j["objective"].get<std::string>().find(kFbnetDefaultScoreSource), std::string::npos) << j["objective"];
  const std::vector<std::string> strategies = {"controller", "matched-proxy", "random"};  // the FBNet default
  ASSERT_EQ(j["rows"].size(), 2u * 2u * 3u + 3u);
  std::size_t i = 0;
  for (const std::string device : {"fpga", "pixel2"}) {
    for (const std::string budget : {"p25", "p75"}) {
      for (const std::string& strategy : strategies) {
        const nlohmann::json& row = j["rows"][i++];
        EXPECT_EQ(row["device"], device);
        EXPECT_EQ(row["budget"], budget);
        EXPECT_EQ(row["strategy"], strategy);
        EXPECT_EQ(row["runs"], 2);
        EXPECT_GT(row["feasible_candidates"].get<int>(), 0);
        EXPECT_GE(row["regret_mean"].get<double>(), 0.0);
        EXPECT_EQ(row["probes_mean"].get<double>(), 10.0);
        if (strategy == "matched-proxy") {
          EXPECT_EQ(row["violations"], 0) << device << " " << budget;
        }
      }
    }
  }
  for (const std::string& strategy : strategies) {
    const nlohmann::json& row = j["rows"][i++];
    EXPECT_EQ(row["device"], "all");
    EXPECT_EQ(row["strategy"], strategy);
    EXPECT_EQ(row["runs"], 8);
  }
  const std::string md = ReadFile(dir / "eval.md");
  EXPECT_NE(md.find("fbnet: answers are scored"), std::string::npos) << md;
  EXPECT_TRUE(fs::exists(dir / "eval.json"));
  // --greedy is NAS-Bench-201's (the FBNet controller is always greedy): one line.
  const auto greedy = testing::RunCli({"--space", "fbnet", "controller", "eval", "--greedy", "--devices", "fpga"});
  EXPECT_NE(greedy.exit_code, 0);
  EXPECT_EQ(testing::CountLines(greedy.err), 1) << greedy.err;
  EXPECT_NE(greedy.err.find("--greedy"), std::string::npos) << greedy.err;
  // A device without an FBNet table (NAS-Bench-201's titan_rtx_256) is named.
  const auto unknown = testing::RunCli({"--space", "fbnet", "controller", "eval", "--devices", "titan_rtx_256"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(testing::CountLines(unknown.err), 1) << unknown.err;
  EXPECT_NE(unknown.err.find("titan_rtx_256"), std::string::npos) << unknown.err;
}

TEST(PickerControllerCli, TrajectoriesHoldTheControllersProbesOnEveryDeviceFromOneStart) {
  const testing::TempDir dir;
  const std::vector<std::string> devices = {"fpga", "raspi4", "eyeriss"};
  const auto r = testing::RunCli({"--space", "fbnet", "controller", "trajectories", "--devices", "fpga,raspi4,eyeriss",
                                  "--probes", "6", "--out", (dir / "t.png").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "t.png"));
  const auto blocks = DatBlocks(dir / "t.dat");
  ASSERT_EQ(blocks.size(), devices.size());
  // The same searches in the library: the shipped FBNet controller, budget at each table's median,
  // the device's own table withheld (test devices have none among the train tables).
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  const ScoreTable objective =
      MakeScoreTable(data.Numbering(), Dataset::kCifar100, kFbnetDefaultScoreSource,
                      ScoreFiles{testing::RepoFile("tables/proxies"), {}, testing::RepoFile("configs")});
  const auto strategy =
      std::make_unique<PickerControllerStrategy>(testing::RepoFile("models/controller/fbnet/picker.ctl"), "controller");
  SearchContext inputs;
  inputs.candidates = &data.Numbering();
  inputs.scores = &objective;
  for (const std::string& train : data.TrainDevices()) inputs.train_tables.push_back(&data.DeviceTable(train));
  std::set<std::string> starts;
  for (const std::string& device : devices) {
    SCOPED_TRACE(device);
    const auto& lines = blocks.at(device);
    const LatencyTable& table = data.DeviceTable(device);
    TableDevice replayed("table:" + device, table, data.Numbering());
    const SearchReport report =
        RunSearch(*strategy, replayed, SearchTask{Percentile(table.values(), 50), 0}, 6, inputs, nullptr, "");
    ASSERT_EQ(lines.size(), report.trajectory.size());
    ASSERT_EQ(lines.size(), 6u);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      ASSERT_EQ(lines[k].size(), 5u);
      EXPECT_EQ(lines[k][0], std::to_string(k));
      EXPECT_EQ(lines[k][4], report.trajectory[k].arch.ToString());
      const double rank = std::stod(lines[k][2]);
      EXPECT_GE(rank, 0.0);
      EXPECT_LE(rank, 1.0);
    }
    starts.insert(lines.front()[4]);
  }
  EXPECT_EQ(starts.size(), 1u);  // one start on every device
}

TEST(PickerControllerCli, LooTrainsWithoutTheHeldOutTableResumesAndRefusesATestDevice) {
  const testing::TempDir dir;
  const std::string out = (dir / "loo").string();
  const std::vector<std::string> loo = {"--space", "fbnet", "controller", "loo", "--steps", "64", "--envs", "4",
                                        "--rollout", "8", "--minibatch", "16", "--hidden", "8", "--devices", "pixel3",
                                        "--percentiles", "50", "--seeds", "1", "--out", out};
  const auto first = testing::RunCli(loo, 600);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const fs::path model = dir / "loo" / "pixel3" / "controller.ctl";
  ASSERT_TRUE(fs::exists(dir / "loo" / "pixel3" / "done"));
  const ControllerModel m = LoadControllerModel(model, kPickerProcess);
  EXPECT_EQ(m.provenance["held_out"], nlohmann::json({"pixel3"}));
  const auto train = m.provenance["train_devices"].get<std::vector<std::string>>();
  EXPECT_EQ(train.size(), SpaceData(FbnetSpace(), testing::Data().dir()).TrainDevices().size() - 1);
  EXPECT_EQ(std::count(train.begin(), train.end(), "pixel3"), 0);
  EXPECT_NE(m.provenance["proxy_device"], "pixel3");
  const nlohmann::json rows = nlohmann::json::parse(ReadFile(dir / "loo" / "loo.json"))["rows"];
  ASSERT_EQ(rows.size(), 3u + 3u);  // pixel3 p50 x 3 strategies, all x 3
  EXPECT_EQ(rows[0]["device"], "pixel3");
  EXPECT_EQ(rows[0]["strategy"], "controller");
  EXPECT_EQ(rows[0]["runs"], 1);
  EXPECT_NE(ReadFile(dir / "loo" / "loo.md").find("proxy regret"), std::string::npos);
  EXPECT_EQ(first.err.find("reusing the finished controller"), std::string::npos) << first.err;
  // Resumable: the finished controller is reused, not trained again.
  const std::string bytes = ReadFile(model);
  const auto second = testing::RunCli(loo, 600);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("reusing the finished controller " + model.string()), std::string::npos) << second.err;
  EXPECT_EQ(ReadFile(model), bytes);
  // A test device is refused in one line, before any training.
  std::vector<std::string> test_device = loo;
  test_device[15] = "fpga";
  const auto refused = testing::RunCli(test_device);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(testing::CountLines(refused.err), 1) << refused.err;
  EXPECT_NE(refused.err.find("fpga is a fbnet test device"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "loo" / "fpga"));
  std::vector<std::string> nb201 = loo;
  nb201.insert(nb201.end(), {"--reward", "paper"});
  const auto wrong = testing::RunCli(nb201);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("--reward"), std::string::npos) << wrong.err;
}

}  // namespace
}  // namespace simnas
