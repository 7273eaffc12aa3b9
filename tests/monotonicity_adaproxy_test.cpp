// The linear latency model, the Eq. 3 solver and AdaProxy's effect on monotonicity.
#include <cmath>
#include <random>

#include <Eigen/Dense>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/latency_model/linear.h"
#include "simnas/space/space.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

using testing::Data;

// The fixture's cells in their numbering (the rows of every table).
const CandidateSet& Cells() { return testing::FixtureData().space_data().Numbering(); }

// Rows of `x` for the candidates at `rows`.
Eigen::MatrixXd Rows(const Eigen::MatrixXd& x, const std::vector<int>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (std::size_t k = 0; k < rows.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = x.row(rows[k]);
  return out;
}

TEST(LinearLatencyModel, EncodingsHaveTheDocumentedFeatures) {
  const Cell c = Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|avg_pool_3x3~1|nor_conv_1x1~2|");
  const Eigen::VectorXd counts = Nb201Space().Encode(ToArch(c), "op-counts");
  ASSERT_EQ(counts.size(), 5);
  EXPECT_EQ(counts(0), 1);  // fixed part
  EXPECT_EQ(counts(1), 1);  // skip
  EXPECT_EQ(counts(2), 1);  // conv1x1
  EXPECT_EQ(counts(3), 2);  // conv3x3
  EXPECT_EQ(counts(4), 1);  // avgpool
  const Eigen::VectorXd onehot = Nb201Space().Encode(ToArch(c), "edge-onehot");
  ASSERT_EQ(onehot.size(), 25);
  EXPECT_EQ(onehot.sum(), 1 + 5);  // fixed part + one per edge that is not none
  EXPECT_EQ(onehot(1 + 0 * 4 + 2), 1);  // edge 0 carries conv3x3 (op 3 -> slot 2)
  EXPECT_EQ(Nb201Space().EncodingNames().front(), "op-counts");
  EXPECT_THROW(Nb201Space().Encode(ToArch(c), "graph"), ParseError);
}

TEST(LinearLatencyModel, OneHotFitsAtLeastAsWellAsOpCounts) {
  const LatencyTable& t = testing::FixtureData().DeviceTable("gold_6240");
  const LinearLatencyModel counts = FitLinearLatencyModel(t, Cells(), "op-counts");
  const LinearLatencyModel onehot = FitLinearLatencyModel(t, Cells(), "edge-onehot");
  auto sse = [&](const LinearLatencyModel& m) {
    const std::vector<double> p = m.PredictAll(EncodeCandidates(Cells(), m.encoding));
    double s = 0;
    for (int i = 0; i < kNumCells; ++i) s += std::pow(p[static_cast<std::size_t>(i)] - t.At(i), 2);
    return s;
  };
  EXPECT_LE(sse(onehot), sse(counts) * (1 + 1e-9));
  // One architecture's prediction and PredictAll agree.
  const Eigen::VectorXd x = Nb201Space().Encode(Cells().at(1234), onehot.encoding);
  EXPECT_NEAR(x.dot(onehot.w), onehot.PredictAll(EncodeCandidates(Cells(), onehot.encoding))[1234], 1e-9);
}

TEST(AdaProxySolver, LargeLambdaKeepsBZeroAndZeroLambdaIsLeastSquares) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 1);
  const int n = 40, d = 4;
  Eigen::MatrixXd z(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) z(i, j) = std::abs(noise(rng)) + 0.1;
  }
  const Eigen::Vector4d truth_b(0.5, 0, -0.3, 0);
  const double truth_alpha = 2;
  const Eigen::VectorXd y = truth_alpha * z.rowwise().sum() + z * truth_b;
  const AdaProxyOptions options;
  const double lmax = AdaProxyLambdaMax(z, y);
  const AdaProxySolution none = SolveAdaProxy(z, y, lmax * 1.01, options);
  EXPECT_LT(none.b.cwiseAbs().maxCoeff(), 1e-12);
  // λ = 0: the fit is exact (the data has no noise), so the residual vanishes.
  const AdaProxySolution ls = SolveAdaProxy(z, y, 0.0, options);
  const Eigen::VectorXd fitted = ls.alpha * z.rowwise().sum() + z * ls.b;
  EXPECT_LT((fitted - y).norm() / y.norm(), 1e-6);
}

// A target that slows a few (edge, op) features down very differently from the proxy: the
// proxy ranks it poorly, AdaProxy from 30 measured cells recovers the ranking.
TEST(AdaProxy, RaisesSrccOnAConstructedTarget) {
  const SearchSpace& space = testing::FixtureData().space();
  const LatencyTable& proxy_table = testing::FixtureData().DeviceTable("gold_6240");
  const LinearLatencyModel proxy = FitLinearLatencyModel(proxy_table, Cells(), "edge-onehot");
  LinearLatencyModel target_model = proxy;
  target_model.w *= 1.7;  // a different speed overall...
  for (int e = 0; e < kNumEdges; ++e) {
    target_model.w(1 + e * 4 + 3) *= 12.0;  // ...avg pooling is very slow on the target
    target_model.w(1 + e * 4 + 0) *= 8.0;   // ...and so is a skip connection
  }
  const Eigen::MatrixXd x = EncodeCandidates(Cells(), "edge-onehot");
  const LatencyTable target("constructed", target_model.PredictAll(x));
  const double before = Spearman(proxy.PredictAll(x), target.values());
  std::mt19937_64 rng(11);
  std::vector<int> cells;
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    const int index = space.IndexOf(RandomCell(rng));
    cells.push_back(index);
    ms.push_back(target.At(index));
  }
  const AdaProxyFit fit = FitAdaProxy(proxy, Rows(x, cells), ms);
  const double after = Spearman(fit.adapted.PredictAll(x), target.values());
  EXPECT_LT(before, 0.9);
  EXPECT_GT(after, 0.99);
  EXPECT_GT(fit.b.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(fit.train_samples + fit.validation_samples, 30);
  // The transfer report on the same pair runs and does not lose monotonicity on average.
  const AdaProxyTransfer t =
      EvaluateAdaProxyTransfer(proxy_table, target, Cells(), "edge-onehot", 20, 5, 1);
  EXPECT_GT(t.srcc_after_mean, t.srcc_before);
}

TEST(AdaProxy, FewSamplesOnlyScaleAndKeepTheRanking) {
  const LinearLatencyModel proxy = FitLinearLatencyModel(testing::FixtureData().DeviceTable("pixel3"), Cells(), "op-counts");
  const Eigen::MatrixXd cells = Rows(EncodeCandidates(Cells(), "op-counts"), {1, 2, 3});
  const AdaProxyFit fit = FitAdaProxy(proxy, cells, {3.0, 4.0, 5.0});
  EXPECT_TRUE(std::isinf(fit.lambda));
  EXPECT_EQ(fit.b.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_THROW(FitAdaProxy(proxy, Eigen::MatrixXd(0, cells.cols()), {}), Error);
  EXPECT_THROW(FitAdaProxy(proxy, cells, {1.0}), Error);
}

TEST(AdaProxy, DeterministicAndIndependentOfCallOrder) {
  const LatencyTable& p = testing::FixtureData().DeviceTable("pixel3");
  const LatencyTable& t = testing::FixtureData().DeviceTable("titanx_32");
  const AdaProxyTransfer a = EvaluateAdaProxyTransfer(p, t, Cells(), "edge-onehot", 10, 3, 5);
  const AdaProxyTransfer b = EvaluateAdaProxyTransfer(p, t, Cells(), "edge-onehot", 10, 3, 5);
  EXPECT_DOUBLE_EQ(a.srcc_after_mean, b.srcc_after_mean);
  EXPECT_DOUBLE_EQ(a.srcc_before, b.srcc_before);
}

TEST(AdaProxyCli, ReportsBeforeAndAfterPerTarget) {
  const auto r = testing::RunCli({"monotonicity", "adaproxy", "--proxy", "pixel3", "--targets", "titanx_1,gold_6240",
                                  "--samples", "10,20", "--repeats", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["proxy"], "pixel3");
  ASSERT_EQ(j["targets"].size(), 2u);
  EXPECT_EQ(j["targets"][0]["after"].size(), 2u);
  const auto test_proxy = testing::RunCli({"monotonicity", "adaproxy", "--proxy", "fpga"});
  EXPECT_NE(test_proxy.exit_code, 0);
  EXPECT_NE(test_proxy.err.find("test device"), std::string::npos) << test_proxy.err;
}

}  // namespace
}  // namespace simnas
