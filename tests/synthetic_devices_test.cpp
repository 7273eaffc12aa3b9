// Synthetic devices: structural liveness of edges, op-table fits, the paper's distribution
// and the richer options, and `synthetic:SEED,OPTIONS` devices.
#include <gtest/gtest.h>

#include <set>

#include "simnas/core/error.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/spaces/nb201/cell_structure.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/synthetic/synthetic_distribution.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas {
namespace {

TEST(CellStructure, LiveEdgesFollowTheSignalToTheOutput) {
  EXPECT_EQ(LiveEdgeMask(Cell::Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")), 0);
  EXPECT_EQ(LiveEdgeMask(Cell::Parse("|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|skip_connect~1|"
                                     "nor_conv_3x3~2|")),
            0x3f);
  // Node 1 gets no input: edges out of it (2<-1, 3<-1) carry zeros.
  EXPECT_EQ(LiveEdgeMask(Cell::Parse("|none~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|nor_conv_3x3~2|")),
            (1 << 1) | (1 << 5));
  // Node 2 feeds nothing: its input edges are unused.
  EXPECT_EQ(LiveEdgeMask(Cell::Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|none~0|skip_connect~1|none~2|")),
            (1 << 0) | (1 << 4));
  // Output node unreachable: nothing is live.
  EXPECT_EQ(LiveEdgeMask(Cell::Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|")), 0);
  const auto& masks = LiveEdgeMasks();
  for (int code : {0, 1, 777, 15624}) EXPECT_EQ(masks[static_cast<std::size_t>(code)], LiveEdgeMask(Cell::FromCode(code)));
}

const SyntheticDistribution& PaperFits() {
  static const SyntheticDistribution d =
      FitSyntheticDistribution(testing::FixtureData().space_data(), LutFitKind::kShared);
  return d;
}

TEST(SyntheticDistribution, FitsTrainDevicesOnlyAndLeavesOneOut) {
  const SyntheticDistribution& d = PaperFits();
  ASSERT_GE(d.fits().size(), 2u);
  EXPECT_EQ(d.fits().size(), d.live_fits().size());  // NAS-Bench-201 cells have dead edges
  for (const LutFit& f : d.fits()) {
    EXPECT_FALSE(testing::FixtureData().space_data().space().IsTestDevice(f.device)) << f.device;
    EXPECT_GT(f.spearman, 0.9) << f.device;  // the lookup table ranks every train device well
    // The shared fit is the least squares on the space's default encoding, op counts (the
    // latency model the edit walk's prior fits): the same weights.
    const CandidateSet& numbering = testing::FixtureData().space_data().Numbering();
    ASSERT_EQ(numbering.space().EncodingNames().front(), "op-counts");
    const Eigen::VectorXd w = FitFeatureLinearModel(EncodeCandidates(numbering, "op-counts"),
                                                    testing::FixtureData().DeviceTable(f.device).values(), f.device)
                                  .w;
    EXPECT_EQ(f.lut.fixed_ms, w(0));
    for (int e = 0; e < kNumEdges; ++e) {
      for (int o = 0; o < kNumOps; ++o) {
        EXPECT_EQ(f.lut.cost_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(o)], o == 0 ? 0.0 : w(o));
      }
    }
  }
  const std::string left_out = d.fits().front().device;
  const SyntheticDistribution loo =
      FitSyntheticDistribution(testing::FixtureData().space_data(), LutFitKind::kShared, {left_out});
  EXPECT_EQ(loo.fits().size() + 1, d.fits().size());
  for (const LutFit& f : loo.fits()) EXPECT_NE(f.device, left_out);
  std::vector<const LatencyTable*> with_test = {&testing::FixtureData().DeviceTable("pixel3"),
                                                &testing::FixtureData().DeviceTable("fpga")};
  EXPECT_THROW(FitSyntheticDistribution(testing::FixtureData().space_data().Numbering(), with_test,
                                        LutFitKind::kShared),
               Error);
}

TEST(SyntheticOptions, ParseAndPrintRoundTrip) {
  EXPECT_EQ(SyntheticOptions::Parse("paper"), SyntheticOptions::Paper());
  const SyntheticOptions o = SyntheticOptions::Parse("paper,sampler=mixture,live=0.3,scale=0.5,op_noise=0.1,noise=0.02");
  EXPECT_EQ(o.sampler, SyntheticSampler::kMixture);
  EXPECT_DOUBLE_EQ(o.live_prob, 0.3);
  EXPECT_DOUBLE_EQ(o.measure_noise, 0.02);
  EXPECT_EQ(SyntheticOptions::Parse(o.ToString()), o);
  EXPECT_THROW(SyntheticOptions::Parse("colour=blue"), ParseError);
  EXPECT_THROW(SyntheticOptions::Parse("live=2"), ParseError);
  EXPECT_THROW(SyntheticOptions::Parse("sampler=uniform"), ParseError);
  EXPECT_THROW(SyntheticOptions::Parse("live=0.5,paper"), ParseError);
}

TEST(SyntheticDistribution, PaperSamplesArePositiveLookupTablesSharedByEveryEdge) {
  const SyntheticLut device = PaperFits().Sample(5, SyntheticOptions::Paper());
  EXPECT_GT(device.fixed_ms, 0);
  for (int e = 0; e < kNumEdges; ++e) {
    EXPECT_EQ(device.cost_ms[static_cast<std::size_t>(e)][0], 0.0);  // none
    for (int op = 1; op < kNumOps; ++op) {
      EXPECT_GT(device.cost_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)], 0);
      EXPECT_EQ(device.cost_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)],
                device.cost_ms[0][static_cast<std::size_t>(op)]);
    }
  }
  const Cell cell = Cell::FromCode(4321);
  double sum = device.fixed_ms;
  for (int e = 0; e < kNumEdges; ++e) sum += device.cost_ms[static_cast<std::size_t>(e)][static_cast<std::size_t>(cell.op(e))];
  EXPECT_EQ(device.Latency(ToArch(cell)), sum);
}

TEST(SyntheticDistribution, RicherOptionsChangeTheDevicesAsDocumented) {
  const SyntheticDistribution& fits = PaperFits();
  for (SyntheticSampler sampler : {SyntheticSampler::kGaussian, SyntheticSampler::kLogNormal, SyntheticSampler::kMixture,
                                   SyntheticSampler::kDirichlet}) {
    SyntheticOptions o;
    o.sampler = sampler;
    o.op_noise = 0.2;
    o.scale_sigma = 0.5;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const SyntheticLut d = fits.Sample(seed, o);
      for (int code : {0, 100, 9999, 15624}) EXPECT_GT(d.Latency(ToArch(Cell::FromCode(code))), 0) << SyntheticSamplerName(sampler);
    }
  }
  // op_noise: the same op costs differently on different edges.
  SyntheticOptions noisy;
  noisy.op_noise = 0.3;
  const SyntheticLut d = fits.Sample(1, noisy);
  std::set<double> conv3;
  for (const auto& edge : d.cost_ms) conv3.insert(edge[static_cast<std::size_t>(Op::kConv3x3)]);
  EXPECT_EQ(conv3.size(), 6u);
  // live=1: dead edges cost nothing.
  SyntheticOptions live;
  live.live_prob = 1.0;
  const SyntheticLut l = fits.Sample(2, live);
  EXPECT_TRUE(l.live_only);
  const Cell dead = Cell::Parse("|none~0|+|none~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|none~2|");
  EXPECT_DOUBLE_EQ(l.Latency(ToArch(dead)), std::max(l.fixed_ms, l.MinLatency()));
  // Measurement noise: varies between measurements, reproducible from the same generator.
  SyntheticLut m = d;
  m.measure_noise = 0.05;
  std::mt19937_64 n1(3), n2(3);
  const Arch cell = ToArch(Cell::FromCode(77));
  const double first = m.Measure(cell, n1);
  EXPECT_EQ(first, m.Measure(cell, n2));
  EXPECT_NE(first, m.Measure(cell, n1));
}

TEST(SyntheticDevice, SpecsWithOptionsOpenReproducibleDevices) {
  const DeviceEnvironment env = testing::Nb201Devices(testing::FixtureData(), std::nullopt);
  auto a = OpenDevice("synthetic:3,sampler=mixture,op_noise=0.1", env);
  auto b = OpenDevice("synthetic:3,sampler=mixture,op_noise=0.1", env);
  auto paper = OpenDevice("synthetic:3,paper", env);
  const Cell cell = Cell::FromCode(1234);
  EXPECT_EQ(a->Measure(ToArch(cell)).latency_ms, b->Measure(ToArch(cell)).latency_ms);
  EXPECT_EQ(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->Fingerprint(), paper->Fingerprint());
  EXPECT_EQ(a->Spec(), "synthetic:3," + SyntheticOptions::Parse("sampler=mixture,op_noise=0.1").ToString());
  auto reopened = OpenDevice(a->Spec(), env);
  EXPECT_EQ(reopened->Measure(ToArch(cell)).latency_ms, a->Measure(ToArch(cell)).latency_ms);
  EXPECT_THROW(OpenDevice("synthetic:3,bogus=1", env), ParseError);
}

}  // namespace
}  // namespace simnas
