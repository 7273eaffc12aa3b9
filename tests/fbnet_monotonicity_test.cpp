// FBNet's linear latency model (per-layer one-hot), AdaProxy on any encoding, and
// `simnas --space fbnet monotonicity [adaproxy]` over HELP's 23 FBNet tables.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/space/registry.h"
#include "test_support.h"

namespace simnas {
namespace {

// The space's per-layer one-hot encoding of FBNet networks.
Eigen::VectorXd Encode(const FbnetArch& arch) { return FbnetSpace().Encode(ToArch(arch), "layer-onehot"); }
Eigen::MatrixXd EncodeAll(const std::vector<FbnetArch>& archs) {
  return EncodeCandidates(testing::FbnetCandidates(archs), "layer-onehot");
}

TEST(FbnetEncoding, FixedPartThenOneIndicatorPerNonSkipLayer) {
  EXPECT_EQ(FbnetSpace().FeatureCount("layer-onehot"), 177);
  const Eigen::VectorXd skip = Encode(UniformFbnetArch(FbnetBlock::kSkip));
  EXPECT_EQ(skip.size(), 177);
  EXPECT_EQ(skip(0), 1.0);
  EXPECT_EQ(skip.sum(), 1.0);  // skip is every layer's reference block
  for (const FbnetArch& arch : SampleFbnetArchs(3, 50)) {
    const Eigen::VectorXd x = Encode(arch);
    int non_skip = 0;
    for (int layer = 0; layer < kFbnetNumLayers; ++layer) {
      const double layer_sum = x.segment(1 + layer * (kFbnetNumBlocks - 1), kFbnetNumBlocks - 1).sum();
      EXPECT_EQ(layer_sum, arch.block(layer) == FbnetBlock::kSkip ? 0.0 : 1.0);
      non_skip += arch.block(layer) == FbnetBlock::kSkip ? 0 : 1;
    }
    EXPECT_EQ(x.sum(), 1.0 + non_skip);
  }
  // Two layers with different blocks land in different columns.
  FbnetArch a = UniformFbnetArch(FbnetBlock::kSkip);
  std::array<FbnetBlock, kFbnetNumLayers> blocks = a.blocks();
  blocks[5] = FbnetBlock::kK5E6;
  const Eigen::VectorXd one = Encode(FbnetArch(blocks));
  blocks[5] = FbnetBlock::kSkip;
  blocks[6] = FbnetBlock::kK5E6;
  EXPECT_NE(one, Encode(FbnetArch(blocks)));
}

// A lookup table of FBNet costs: one weight per feature, uniform in [lo, hi).
Eigen::VectorXd RandomLookupTable(std::uint64_t seed, double lo, double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> cost(lo, hi);
  Eigen::VectorXd w(FbnetSpace().FeatureCount("onehot"));
  for (Eigen::Index j = 0; j < w.size(); ++j) w(j) = cost(rng);
  return w;
}

TEST(FeatureLinearModel, RecoversAnExactLookupTable) {
  const Eigen::MatrixXd x = EncodeAll(SampleFbnetArchs(7, 2000));
  const Eigen::VectorXd w = RandomLookupTable(1, 0.01, 0.5);
  const Eigen::VectorXd y = x * w;
  const FeatureLinearModel model = FitFeatureLinearModel(x, std::vector<double>(y.data(), y.data() + y.size()), "lut");
  EXPECT_LT((model.w - w).cwiseAbs().maxCoeff(), 1e-8);
  const std::vector<double> p = model.PredictAll(x);
  EXPECT_NEAR(RSquared(p, std::vector<double>(y.data(), y.data() + y.size())), 1.0, 1e-12);
}

TEST(FeatureLinearModel, RefusesMismatchedOrNonFiniteInputsNamingTheTable) {
  const Eigen::MatrixXd x = EncodeAll(SampleFbnetArchs(7, 10));
  try {
    FitFeatureLinearModel(x, std::vector<double>(9, 1.0), "pixel3");
    FAIL() << "sizes differ";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pixel3"), std::string::npos);
  }
  std::vector<double> y(10, 1.0);
  y[4] = std::nan("");
  EXPECT_THROW(FitFeatureLinearModel(x, y, "pixel3"), Error);
}

TEST(Stats, RSquaredOfKnownFits) {
  const std::vector<double> actual = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(RSquared(actual, actual), 1.0);
  EXPECT_DOUBLE_EQ(RSquared(std::vector<double>(4, 2.5), actual), 0.0);  // the mean explains nothing
  EXPECT_DOUBLE_EQ(RSquared(std::vector<double>{2, 2, 3, 4}, actual), 1.0 - 1.0 / 5.0);
  EXPECT_TRUE(std::isnan(RSquared(std::vector<double>{1, 1}, std::vector<double>{3, 3})));
}

// A target that is the proxy slowed down uniformly except for a few layer/block entries that
// cost much more there: the proxy's ranking is off, and AdaProxy's sparse correction from a few
// samples brings it back.
TEST(AdaProxyOnFeatures, SparseSlowdownIsLearnedFromAFewSamples) {
  const Eigen::MatrixXd x = EncodeAll(SampleFbnetArchs(11, 3000));
  const Eigen::VectorXd w = RandomLookupTable(2, 0.05, 0.5);
  Eigen::VectorXd w_target = 2.0 * w;
  for (Eigen::Index j : {10, 50, 90, 130, 170}) w_target(j) *= 12.0;
  const Eigen::VectorXd p = x * w, t = x * w_target;
  const std::vector<double> proxy(p.data(), p.data() + p.size()), target(t.data(), t.data() + t.size());
  const AdaProxyTransfer r = EvaluateAdaProxyTransfer(x, w, proxy, target, 60, 5, 0);
  EXPECT_NEAR(r.srcc_proxy_table, r.srcc_before, 1e-12);  // the proxy is its own linear model here
  EXPECT_LT(r.srcc_before, 0.95);
  EXPECT_GT(r.srcc_after_mean, r.srcc_before + 0.02);
  EXPECT_GT(r.srcc_after_min, r.srcc_before);
  // Same seed, same result.
  const AdaProxyTransfer again = EvaluateAdaProxyTransfer(x, w, proxy, target, 60, 5, 0);
  EXPECT_EQ(again.srcc_after_mean, r.srcc_after_mean);
  EXPECT_THROW(EvaluateAdaProxyTransfer(x, w, proxy, target, 3001, 1, 0), Error);
}

TEST(SpaceRegistry, FindsTheTwoSpacesAndRefusesOthers) {
  EXPECT_EQ(&FindSpace("nb201"), &Nb201Space());
  EXPECT_EQ(&FindSpace("fbnet"), &FbnetSpace());
  EXPECT_EQ(FbnetSpace().name(), "fbnet");
  EXPECT_THROW(FindSpace("darts"), ParseError);
}

TEST(FbnetMonotonicityCli, SrccMatrixOfThreeTables) {
  const auto r = testing::RunCli({"--space", "fbnet", "monotonicity", "--devices", "fpga,raspi4,pixel3",
                                  "--estimate-k", "10", "--repeats", "20", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["space"], "fbnet");
  EXPECT_EQ(j["cells"], 5000);
  ASSERT_EQ(j["srcc"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(j["srcc"][i][i].get<double>(), 1.0);
    for (int k = 0; k < 3; ++k) {
      EXPECT_DOUBLE_EQ(j["srcc"][i][k].get<double>(), j["srcc"][k][i].get<double>());
      EXPECT_LE(std::abs(j["srcc"][i][k].get<double>()), 1.0);
    }
  }
  // pixel3 and raspi4 are both Arm CPUs: their rankings agree more than either with the FPGA.
  EXPECT_GT(j["srcc"][1][2].get<double>(), j["srcc"][0][1].get<double>());
  EXPECT_FALSE(FbnetSpace().IsTestDevice(j["default_proxy_device"].get<std::string>()));
}

TEST(FbnetMonotonicityCli, AdaProxyReportsBeforeAfterAndOwnFit) {
  const auto r = testing::RunCli({"--space", "fbnet", "monotonicity", "adaproxy", "--targets", "fpga", "--samples",
                                  "10,30", "--repeats", "5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["encoding"], "onehot");  // the per-layer one-hot (alias layer-onehot)
  EXPECT_FALSE(FbnetSpace().IsTestDevice(j["proxy"].get<std::string>()));
  ASSERT_EQ(j["targets"].size(), 1u);
  const nlohmann::json& t = j["targets"][0];
  EXPECT_EQ(t["split"], "test");
  const double r2 = t["own_linear_r2"].get<double>();
  EXPECT_GT(r2, 0.0);
  EXPECT_LE(r2, 1.0);
  ASSERT_EQ(t["after"].size(), 2u);
  for (const auto& a : t["after"]) {
    EXPECT_EQ(a["repeats"], 5);
    EXPECT_LE(a["min"].get<double>(), a["mean"].get<double>());
    EXPECT_LE(std::abs(a["mean"].get<double>()), 1.0);
  }
}

TEST(FbnetMonotonicityCli, RefusesWhatItCannotDoInOneLine) {
  // Every command takes --space fbnet now: `devices` lists FBNet's tables.
  const auto devices = testing::RunCli({"--space", "fbnet", "devices"});
  EXPECT_EQ(devices.exit_code, 0) << devices.err;
  const auto live = testing::RunCli({"--space", "fbnet", "monotonicity", "--devices", "fpga,local"});
  EXPECT_NE(live.exit_code, 0);
  EXPECT_NE(live.err.find("local"), std::string::npos) << live.err;
  const auto encoding = testing::RunCli({"--space", "fbnet", "monotonicity", "adaproxy", "--encoding", "op-counts"});
  EXPECT_NE(encoding.exit_code, 0);
  EXPECT_NE(encoding.err.find("layer-onehot"), std::string::npos) << encoding.err;
  const auto bad = testing::RunCli({"--space", "darts", "monotonicity"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace simnas
