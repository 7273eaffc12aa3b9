// SRCC matrix, SRCC estimates from samples, proxy device choice, heatmap, and the
// `simnas monotonicity` command.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/monotonicity/heatmap.h"
#include "simnas/monotonicity/srcc.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

using testing::Data;

TEST(SrccMatrix, SymmetricWithUnitDiagonalOnBenchmarkTables) {
  const std::vector<std::string> names = {"pixel3", "gold_6240", "titanx_1", "1080ti_256", "samsung_a50"};
  std::vector<std::vector<double>> values;
  for (const auto& n : names) values.push_back(Data().DeviceTable(n).values());
  const SrccMatrix m = ComputeSrccMatrix(names, values);
  ASSERT_EQ(m.devices.size(), names.size());
  EXPECT_EQ(m.cells, kNumCells);
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_DOUBLE_EQ(m.At(i, i), 1.0);
    for (std::size_t j = 0; j < names.size(); ++j) {
      EXPECT_DOUBLE_EQ(m.At(i, j), m.At(j, i));
      EXPECT_GE(m.At(i, j), -1.0);
      EXPECT_LE(m.At(i, j), 1.0);
    }
  }
  // Entries are the Spearman correlation of the two tables.
  EXPECT_NEAR(m.At(0, 1), Spearman(values[0], values[1]), 1e-12);
  EXPECT_NEAR(m.At(2, 4), Spearman(values[2], values[4]), 1e-12);
}

TEST(SrccMatrix, MonotoneTransformIsOneAndReversalIsMinusOne) {
  const std::vector<double> a = {1, 5, 2, 8, 3, 9, 4};
  std::vector<double> cube, reversed;
  for (double v : a) {
    cube.push_back(v * v * v + 7);
    reversed.push_back(-v);
  }
  const SrccMatrix m = ComputeSrccMatrix({"a", "cube", "reversed"}, {a, cube, reversed});
  EXPECT_NEAR(m.At(0, 1), 1.0, 1e-12);
  EXPECT_NEAR(m.At(0, 2), -1.0, 1e-12);
  EXPECT_NEAR(m.MeanToOthers(0), 0.0, 1e-12);
}

TEST(SrccMatrix, RejectsMismatchedOrTooShortInput) {
  EXPECT_THROW(ComputeSrccMatrix({"a", "b"}, {{1, 2, 3}, {1, 2}}), Error);
  EXPECT_THROW(ComputeSrccMatrix({"a", "b"}, {{1, 2}, {1, 2}}), Error);
  EXPECT_THROW(ComputeSrccMatrix({"a"}, {{1, 2, 3}, {1, 2, 3}}), Error);
}

TEST(SrccEstimate, ConvergesToTheFullSrccAndShrinksWithK) {
  const auto& a = testing::FixtureData().DeviceTable("pixel3").values();
  const auto& b = testing::FixtureData().DeviceTable("titanx_32").values();
  const double truth = Spearman(a, b);
  const SrccEstimate small = EstimateSrccFromSample(a, b, 10, 400, 1);
  const SrccEstimate large = EstimateSrccFromSample(a, b, 200, 400, 1);
  EXPECT_NEAR(large.mean, truth, 0.02);
  EXPECT_LT(large.stddev, small.stddev);
  EXPECT_EQ(small.k, 10);
  EXPECT_EQ(small.repeats, 400);
  // Deterministic per seed.
  const SrccEstimate again = EstimateSrccFromSample(a, b, 10, 400, 1);
  EXPECT_DOUBLE_EQ(again.mean, small.mean);
  EXPECT_DOUBLE_EQ(again.stddev, small.stddev);
  EXPECT_THROW(EstimateSrccFromSample(a, b, 2, 10, 1), Error);
}

TEST(ProxyDevice, ChosenByBestMeanSrccToTheOthers) {
  std::vector<const LatencyTable*> tables;
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  for (const std::string& n : Data().TrainDevices()) {
    tables.push_back(&Data().DeviceTable(n));
    names.push_back(n);
    values.push_back(tables.back()->values());
  }
  ASSERT_GE(tables.size(), 2u);
  const std::size_t chosen = ChooseProxyDevice(tables);
  const SrccMatrix m = ComputeSrccMatrix(names, values);
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_GE(m.MeanToOthers(chosen), m.MeanToOthers(i)) << names[i];
}

TEST(SrccHeatmap, DrawsAPng) {
  testing::TempDir dir;
  const SrccMatrix m = ComputeSrccMatrix({"x_1", "y'2", "z"}, {{1, 2, 3, 4}, {2, 1, 4, 3}, {4, 3, 2, 1}});
  const std::string script = SrccHeatmapScript(m, "test");
  EXPECT_NE(script.find("'y''2'"), std::string::npos);  // quotes escaped for gnuplot
  const auto png = dir / "srcc.png";
  DrawSrccHeatmap(m, png, "test");
  std::ifstream in(png, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST(MonotonicityCli, PrintsASymmetricMatrixAsJson) {
  testing::TempDir dir;
  const auto r = testing::RunCli({"monotonicity", "--devices", "pixel3,gold_6240,table:titanx_1,synthetic:3",
                                  "--estimate-k", "5,20", "--repeats", "50", "--heatmap", (dir / "h.png").string(),
                                  "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["devices"].size(), 4u);
  EXPECT_EQ(j["devices"][3], "synthetic:3");
  EXPECT_EQ(j["cells"], kNumCells);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(j["srcc"][i][i].get<double>(), 1.0);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(j["srcc"][i][k].get<double>(), j["srcc"][k][i].get<double>());
  }
  EXPECT_EQ(j["estimates"].size(), 3u);  // from one device to the three others
  EXPECT_TRUE(std::filesystem::exists(dir / "h.png"));
}

TEST(MonotonicityCli, LiveDeviceWithoutSampleIsRefused) {
  const auto r = testing::RunCli({"monotonicity", "--devices", "pixel3,local"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--sample"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace simnas
