// FBNet synthetic devices (synthetic/fbnet_synthetic.h, devices/fbnet_synthetic_device.h):
// lookup-table fits on small tables built here from known tables, the distribution over the
// fits (determinism per seed, test devices refused), the device answering a network that no
// table holds, and (FbnetSyntheticCli, real data) `--space fbnet synth` and `measure`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/data/device_split.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/fbnet_synthetic_device.h"
#include "simnas/synthetic/fbnet_synthetic.h"
#include "test_support.h"

namespace simnas {
namespace {

// A known table with costs of either sign relative to skip (as fits are before the shift).
FbnetLut TrueLut(std::uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.2, 1.0);
  FbnetLut lut;
  lut.fixed_ms = 5 * scale;
  for (auto& layer : lut.block_ms) {
    for (double& v : layer) v = scale * u(rng);
  }
  return lut;
}

double SumOf(const FbnetLut& lut, const FbnetArch& a) {
  double ms = lut.fixed_ms;
  for (int l = 0; l < kFbnetNumLayers; ++l) ms += lut.block_ms[static_cast<std::size_t>(l)][static_cast<std::size_t>(a.block(l))];
  return ms;
}

std::vector<double> Measured(const FbnetLut& lut, const std::vector<FbnetArch>& archs) {
  std::vector<double> ms;
  for (const FbnetArch& a : archs) ms.push_back(SumOf(lut, a));
  return ms;
}

struct Fixture {
  std::vector<FbnetArch> archs = SampleFbnetArchs(11, 600);
  std::vector<FbnetLutFit> fits;
  std::vector<LatencyTable> tables;
  Fixture() {
    // Three train-like devices of different speeds and structure.
    const std::vector<std::pair<std::string, double>> devices = {{"gpu_a", 0.1}, {"cpu_b", 1.0}, {"phone_c", 8.0}};
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const std::vector<double> ms = Measured(TrueLut(100 + i, devices[i].second), archs);
      tables.emplace_back(devices[i].first, ms);
      fits.push_back(FitFbnetLut(devices[i].first, archs, ms));
    }
  }
};

TEST(FbnetSynthetic, FitRecoversAKnownTableWithNonNegativeEntries) {
  const std::vector<FbnetArch> archs = SampleFbnetArchs(1, 500);
  const FbnetLut truth = TrueLut(2, 1.0);
  const FbnetLutFit fit = FitFbnetLut("dev", archs, Measured(truth, archs));
  EXPECT_EQ(fit.device, "dev");
  EXPECT_NEAR(fit.r2, 1.0, 1e-9);
  EXPECT_NEAR(fit.spearman, 1.0, 1e-9);
  for (const auto& layer : fit.lut.block_ms) {
    EXPECT_GE(*std::min_element(layer.begin(), layer.end()), 0.0);
    EXPECT_DOUBLE_EQ(*std::min_element(layer.begin(), layer.end()), 0.0);  // the cheapest block costs 0
  }
  // Per layer, differences between blocks are the true ones; the shift went to the fixed part.
  for (int l = 0; l < kFbnetNumLayers; ++l) {
    const auto& t = truth.block_ms[static_cast<std::size_t>(l)];
    const auto& f = fit.lut.block_ms[static_cast<std::size_t>(l)];
    for (std::size_t b = 1; b < t.size(); ++b) EXPECT_NEAR(f[b] - f[0], t[b] - t[0], 1e-8) << l << " " << b;
  }
  // Networks the fit never saw get the true latency too.
  for (const FbnetArch& a : SampleFbnetArchs(99, 50)) EXPECT_NEAR(fit.lut.Latency(a), SumOf(truth, a), 1e-8);
}

TEST(FbnetSynthetic, WholeMillisecondTablesFitWorseAndSaySo) {
  const std::vector<FbnetArch> archs = SampleFbnetArchs(3, 800);
  FbnetLut truth = TrueLut(4, 0.3);  // ~0.1-0.3 ms per layer: whole ms lose much of the signal
  const std::vector<double> exact = Measured(truth, archs);
  std::vector<double> ms = exact;
  for (double& v : ms) v = std::round(v);
  const FbnetLutFit fit = FitFbnetLut("phone", archs, ms);
  EXPECT_LT(fit.r2, 0.95);
  EXPECT_GT(fit.r2, 0.3);
  EXPECT_LT(fit.spearman, 0.99);
  EXPECT_GT(fit.spearman, 0.5);
  // The table still ranks the networks by their exact latency far better than the rounded values tell.
  EXPECT_GT(Spearman(fit.lut.LatenciesOf(archs), exact), fit.spearman);
}

TEST(FbnetSynthetic, FitRefusesTooFewNetworksAndMismatchedSizesNamingTheDevice) {
  const std::vector<FbnetArch> archs = SampleFbnetArchs(5, 100);  // fewer than 177 entries
  try {
    (void)FitFbnetLut("tiny_dev", archs, std::vector<double>(archs.size(), 1.0));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tiny_dev"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("177"), std::string::npos) << e.what();
  }
  const std::vector<FbnetArch> more = SampleFbnetArchs(5, 300);
  EXPECT_THROW((void)FitFbnetLut("d", more, std::vector<double>(299, 1.0)), Error);
}

TEST(FbnetSynthetic, SamplingIsDeterministicPerSeedAndDiffersAcrossSeeds) {
  const Fixture f;
  const FbnetSyntheticDistribution d1(f.fits), d2(f.fits);
  std::set<double> fixed;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const FbnetLut a = d1.Sample(seed), b = d2.Sample(seed);
    EXPECT_EQ(a.fixed_ms, b.fixed_ms);
    EXPECT_EQ(a.block_ms, b.block_ms);
    fixed.insert(a.fixed_ms);
  }
  EXPECT_EQ(fixed.size(), 20u);
}

TEST(FbnetSynthetic, OneFitWithoutNoiseSamplesThatFitExactly) {
  const Fixture f;
  const FbnetSyntheticDistribution d({f.fits[1]}, FbnetSyntheticOptions{.alpha = 0.3, .stage_sigma = 0.0, .block_sigma = 0.0, .entry_sigma = 0.0});
  const FbnetLut s = d.Sample(42);
  EXPECT_NEAR(s.fixed_ms, f.fits[1].lut.fixed_ms, 1e-9);
  for (std::size_t l = 0; l < s.block_ms.size(); ++l) {
    for (std::size_t b = 0; b < s.block_ms[l].size(); ++b) EXPECT_NEAR(s.block_ms[l][b], f.fits[1].lut.block_ms[l][b], 1e-9);
  }
}

TEST(FbnetSynthetic, SampledDevicesArePositiveVariedAndWithinTheTrainScales) {
  const Fixture f;
  const FbnetSyntheticDistribution d(f.fits);
  std::vector<FbnetLut> devices;
  for (std::uint64_t seed = 0; seed < 40; ++seed) devices.push_back(d.Sample(seed));
  const auto [lo, hi] = std::minmax({f.fits[0].lut.MeanRandomLatency(), f.fits[1].lut.MeanRandomLatency(),
                                     f.fits[2].lut.MeanRandomLatency()});
  for (const FbnetLut& s : devices) {
    for (const auto& layer : s.block_ms) EXPECT_GE(*std::min_element(layer.begin(), layer.end()), 0.0);
    for (const double ms : s.LatenciesOf(f.archs)) EXPECT_GT(ms, 0.0);
    // Mixed at the weighted geometric mean of the fits' scales, then noise of a few tens of percent.
    EXPECT_GT(s.MeanRandomLatency(), 0.3 * lo);
    EXPECT_LT(s.MeanRandomLatency(), 3.0 * hi);
  }
  std::vector<const LatencyTable*> real;
  for (const LatencyTable& t : f.tables) real.push_back(&t);
  const FbnetSyntheticComparison c = CompareFbnetSynthetic(devices, f.archs, real, {false, false, true});
  ASSERT_EQ(c.pairwise_synthetic.size(), 40u * 39u / 2u);
  ASSERT_EQ(c.pairwise_real.size(), 3u);
  ASSERT_EQ(c.pairwise_real_train.size(), 1u);  // gpu_a with cpu_b; phone_c is flagged test here
  ASSERT_EQ(c.real.size(), 3u);
  // Devices differ in ranking, but are no random tables.
  EXPECT_LT(*std::min_element(c.pairwise_synthetic.begin(), c.pairwise_synthetic.end()), 0.9);
  EXPECT_GT(Mean(c.pairwise_synthetic), 0.0);
  for (const auto& r : c.real) {
    EXPECT_LE(r.worst, r.mean);
    EXPECT_LE(r.mean, r.best);
    EXPECT_GT(r.best, 0.5) << r.device;  // some sampled device stays close to each fitted table
  }
  EXPECT_TRUE(c.real[2].test);
  EXPECT_EQ(c.real[0].device, "gpu_a");
}

TEST(FbnetSynthetic, ATestDeviceNeverFeedsTheDistribution) {
  Fixture f;
  f.fits[0].device = "fpga";
  ASSERT_TRUE(IsFbnetTestDevice("fpga"));
  try {
    const FbnetSyntheticDistribution d(f.fits);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fpga"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)FbnetSyntheticDistribution(std::vector<FbnetLutFit>{}), Error);
  EXPECT_THROW((void)FbnetSyntheticDistribution(Fixture().fits, FbnetSyntheticOptions{.alpha = 0.0}), Error);
}

TEST(FbnetSynthetic, DeviceMeasuresANetworkOutsideItsTables) {
  const Fixture f;
  const FbnetSyntheticDistribution d(f.fits);
  FbnetSyntheticDevice device(7, d.Sample(7));
  // Every layer k5_e6: a network none of the fixture's (nor HELP's) sampled ones.
  const FbnetArch outside = UniformFbnetArch(FbnetBlock::kK5E6);
  ASSERT_EQ(std::find(f.archs.begin(), f.archs.end(), outside), f.archs.end());
  const Measurement m = device.Measure(ToArch(outside));
  EXPECT_DOUBLE_EQ(m.latency_ms, SumOf(device.lut(), outside));
  EXPECT_GT(m.latency_ms, device.lut().fixed_ms);  // entries are >= 0, and not all of them 0
  EXPECT_EQ(device.Measure(ToArch(outside)).latency_ms, m.latency_ms);  // noise-free
  EXPECT_EQ(device.Spec(), "synthetic:7");
  EXPECT_FALSE(device.IsLive());
  FbnetSyntheticDevice same(7, d.Sample(7)), other(8, d.Sample(8));
  EXPECT_EQ(device.Fingerprint(), same.Fingerprint());
  EXPECT_NE(device.Fingerprint(), other.Fingerprint());
  EXPECT_THROW(device.Measure(ToArch(Cell::FromCode(0))), DeviceError);
}

TEST(FbnetSynthetic, OptionsUnderFbnetAreRefusedInOneLine) {
  const auto r = testing::RunCli({"--space", "fbnet", "measure", "--device", "synthetic:3,paper", "--arch",
                                  UniformFbnetArch(FbnetBlock::kK3E1).ToString()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no options"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  DeviceEnvironment env;  // no data and no synthetic devices given: refused
  EXPECT_THROW((void)OpenDevice("synthetic:3", env), Error);
}

// Real data: HELP's 17 FBNet train tables.
TEST(FbnetSyntheticCli, FitReportsEveryTrainDeviceAndSampleComparesWithTheRealTables) {
  const auto fit = testing::RunCli({"--space", "fbnet", "synth", "fit", "--json"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  const nlohmann::json j = nlohmann::json::parse(fit.out);
  ASSERT_EQ(j["devices"].size(), FbnetTables::TrainDevices().size());
  for (const auto& d : j["devices"]) {
    EXPECT_FALSE(IsFbnetTestDevice(d["device"].get<std::string>()));
    EXPECT_GT(d["r2"].get<double>(), 0.3) << d["device"];
    EXPECT_LE(d["r2"].get<double>(), 1.0);
    EXPECT_GT(d["spearman"].get<double>(), 0.5) << d["device"];
    ASSERT_EQ(d["lut"]["block_ms"].size(), static_cast<std::size_t>(kFbnetNumLayers));
  }
  const auto sample = testing::RunCli({"--space", "fbnet", "synth", "sample", "--count", "4", "--seed", "10", "--json"});
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  const nlohmann::json s = nlohmann::json::parse(sample.out);
  EXPECT_EQ(s["devices"].size(), 4u);
  EXPECT_EQ(s["devices"][0]["spec"], "synthetic:10");
  EXPECT_EQ(s["pairwise_synthetic"].size(), 6u);
  EXPECT_EQ(s["real"].size(), FbnetDeviceNames().size());
  const auto bad = testing::RunCli({"--space", "fbnet", "synth", "sample", "--plot", "x.png"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(testing::CountLines(bad.err), 1) << bad.err;
}

TEST(FbnetSyntheticCli, MeasureAnswersANetworkOutsideHelpsFiveThousandTheSameEachTime) {
  const std::string arch = UniformFbnetArch(FbnetBlock::kK5E6).ToString();
  testing::TempDir tmp;
  const std::vector<std::string> args = {"--store", (tmp / "p.sqlite").string(), "--space", "fbnet", "measure",
                                         "--device", "synthetic:3", "--arch", arch, "--json"};
  const auto a = testing::RunCli(args), b = testing::RunCli(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const nlohmann::json ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_TRUE(ja["index"].is_null());  // not one of HELP's 5,000
  EXPECT_GT(ja["latency_ms"].get<double>(), 0.0);
  EXPECT_EQ(ja["latency_ms"], jb["latency_ms"]);
  EXPECT_EQ(ja["device"], "synthetic:3");
}

}  // namespace
}  // namespace simnas
