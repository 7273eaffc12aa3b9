// Synthetic lookup-table devices of every registered space (synthetic/, devices/synthetic_device.h),
// hermetic: tables made here from known lookup tables over random architectures of the space.
// Fits recover a known table, the distribution samples one device per seed (every sampler),
// test devices never feed it, and the device times architectures no table holds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {
namespace {

// A known table: costs of either sign around the reference (as fits are before any shift).
SyntheticLut TrueLut(const Space& space, std::uint64_t seed, double scale, bool shared) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.2, 1.0);
  SyntheticLut lut = SyntheticLut::ZerosOf(space);
  lut.fixed_ms = 5 * scale;
  for (std::size_t p = 0; p < lut.cost_ms.size(); ++p) {
    for (std::size_t c = 0; c < lut.cost_ms[p].size(); ++c) {
      const bool reference = static_cast<int>(c) == space.ReferenceChoice(static_cast<int>(p));
      lut.cost_ms[p][c] = reference ? 0.0 : (shared && p > 0 ? lut.cost_ms[0][c] : scale * u(rng));
    }
  }
  return lut;
}

CandidateSet RandomCandidates(const Space& space, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<Arch> seen;
  std::vector<Arch> archs;
  while (static_cast<int>(archs.size()) < count) {
    const Arch a = space.RandomArch(rng);
    if (seen.insert(a).second) archs.push_back(a);
  }
  return CandidateSet(space, std::move(archs), "random sample");
}

LatencyTable TableOf(const std::string& name, const SyntheticLut& lut, const CandidateSet& candidates) {
  std::vector<double> ms;
  for (const Arch& a : candidates.archs()) ms.push_back(lut.LatencyOfChoices(a.choices().data(), nullptr));
  return LatencyTable(name, ms);
}

class SyntheticLutOfSpace : public ::testing::TestWithParam<std::string> {
 protected:
  const Space& space() const { return FindSpace(GetParam()); }
  // Three train-like devices of different speeds (names that are no space's test device).
  std::vector<LatencyTable> Tables(const CandidateSet& candidates, bool shared) const {
    std::vector<LatencyTable> out;
    const std::vector<std::pair<std::string, double>> devices = {{"gpu_a", 0.1}, {"cpu_b", 1.0}, {"phone_c", 8.0}};
    for (std::size_t i = 0; i < devices.size(); ++i) {
      out.push_back(TableOf(devices[i].first, TrueLut(space(), 100 + i, devices[i].second, shared), candidates));
    }
    return out;
  }
};

TEST_P(SyntheticLutOfSpace, PerPositionFitRecoversAKnownTableWithNonNegativeEntries) {
  const CandidateSet candidates = RandomCandidates(space(), 400, 11);
  const SyntheticLut truth = TrueLut(space(), 2, 1.0, false);
  const LutFit fit = FitLut(candidates, TableOf("dev", truth, candidates), LutFitKind::kPerPosition);
  EXPECT_EQ(fit.device, "dev");
  EXPECT_NEAR(fit.r2, 1.0, 1e-9);
  for (const auto& position : fit.lut.cost_ms) {
    EXPECT_NEAR(*std::min_element(position.begin(), position.end()), 0.0, 1e-12);  // shifted to 0
    for (double v : position) EXPECT_GE(v, 0.0);
  }
  // The same predictions as the truth, on architectures the fit never saw too.
  const CandidateSet unseen = RandomCandidates(space(), 50, 99);
  for (const Arch& a : unseen.archs()) EXPECT_NEAR(fit.lut.Latency(a), truth.Latency(a), 1e-9 * truth.Latency(a));
}

TEST_P(SyntheticLutOfSpace, SharedFitRecoversOneCostPerChoice) {
  const CandidateSet candidates = RandomCandidates(space(), 300, 12);
  const SyntheticLut truth = TrueLut(space(), 3, 2.0, true);
  const LutFit fit = FitLut(candidates, TableOf("dev", truth, candidates), LutFitKind::kShared);
  EXPECT_NEAR(fit.lut.fixed_ms, truth.fixed_ms, 1e-9);
  for (std::size_t p = 0; p < truth.cost_ms.size(); ++p) {
    for (std::size_t c = 0; c < truth.cost_ms[p].size(); ++c) EXPECT_NEAR(fit.lut.cost_ms[p][c], truth.cost_ms[p][c], 1e-9);
  }
}

TEST_P(SyntheticLutOfSpace, FitRefusesTooFewArchitecturesAndMismatchedSizesNamingTheDevice) {
  const CandidateSet few = RandomCandidates(space(), 3, 1);
  try {
    (void)FitLut(few, LatencyTable("tiny_dev", std::vector<double>(3, 1.0)), LutFitKind::kPerPosition);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tiny_dev"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)FitLut(few, LatencyTable("d", std::vector<double>(4, 1.0)), LutFitKind::kShared), Error);
}

TEST_P(SyntheticLutOfSpace, EverySamplerIsDeterministicPerSeedPositiveAndVaried) {
  const CandidateSet candidates = RandomCandidates(space(), 400, 13);
  for (const LutFitKind kind : {LutFitKind::kShared, LutFitKind::kPerPosition}) {
    std::vector<const LatencyTable*> pointers;
    const std::vector<LatencyTable> tables = Tables(candidates, kind == LutFitKind::kShared);
    for (const LatencyTable& t : tables) pointers.push_back(&t);
    const SyntheticDistribution d = FitSyntheticDistribution(candidates, pointers, kind);
    EXPECT_EQ(d.fits().size(), 3u);
    for (const char* sampler : {"gaussian", "lognormal", "mixture", "dirichlet"}) {
      SyntheticOptions o = SyntheticOptions::Parse(fmt::format("sampler={},scale=0.3,op_noise=0.1", sampler));
      o.fit = kind;
      const SyntheticLut a = d.Sample(7, o), b = d.Sample(7, o), c = d.Sample(8, o);
      std::set<double> seen;
      for (const Arch& arch : candidates.archs()) {
        EXPECT_EQ(a.Latency(arch), b.Latency(arch)) << sampler;
        EXPECT_GT(a.Latency(arch), 0.0) << sampler;
        seen.insert(a.Latency(arch));
      }
      EXPECT_GT(seen.size(), 10u) << sampler;
      EXPECT_NE(a.Latency(candidates.at(0)), c.Latency(candidates.at(0))) << sampler;
    }
    SyntheticOptions other = SyntheticOptions::Paper();
    other.fit = kind == LutFitKind::kShared ? LutFitKind::kPerPosition : LutFitKind::kShared;
    EXPECT_THROW((void)d.Sample(1, other), Error);  // options of the other fit kind
  }
}

TEST_P(SyntheticLutOfSpace, OneFitWithoutNoiseSamplesThatFitExactly) {
  const CandidateSet candidates = RandomCandidates(space(), 400, 14);
  const LutFit fit = FitLut(candidates, TableOf("solo", TrueLut(space(), 5, 1.0, false), candidates),
                            LutFitKind::kPerPosition);
  const SyntheticDistribution d(space(), {fit});
  const SyntheticLut s =
      d.Sample(42, SyntheticOptions::Parse("fit=position,sampler=dirichlet,alpha=0.3,stage_sigma=0,choice_sigma=0,"
                                           "entry_sigma=0"));
  for (const Arch& a : candidates.archs()) EXPECT_NEAR(s.Latency(a), fit.lut.Latency(a), 1e-9 * fit.lut.Latency(a));
  EXPECT_THROW((void)d.Sample(42, SyntheticOptions::Parse("fit=position,sampler=gaussian")), Error);  // needs two
}

TEST_P(SyntheticLutOfSpace, ATestDeviceNeverFeedsTheDistribution) {
  const CandidateSet candidates = RandomCandidates(space(), 400, 15);
  const LatencyTable test(space().TestDevices().front(), TableOf("x", TrueLut(space(), 6, 1.0, false), candidates).values());
  const LatencyTable train = TableOf("train_dev", TrueLut(space(), 7, 1.0, false), candidates);
  EXPECT_THROW((void)FitSyntheticDistribution(candidates, {&train, &test}, LutFitKind::kPerPosition), Error);
  LutFit sneaked = FitLut(candidates, train, LutFitKind::kPerPosition);
  sneaked.device = space().TestDevices().front();
  EXPECT_THROW((void)SyntheticDistribution(space(), {sneaked}), Error);
  EXPECT_THROW((void)SyntheticDistribution(space(), {}), Error);
}

TEST_P(SyntheticLutOfSpace, DeviceMeasuresArchitecturesNoTableHoldsAndRefusesOtherSpaces) {
  const CandidateSet candidates = RandomCandidates(space(), 400, 16);
  std::vector<const LatencyTable*> pointers;
  const std::vector<LatencyTable> tables = Tables(candidates, false);
  for (const LatencyTable& t : tables) pointers.push_back(&t);
  const SyntheticOptions o = SyntheticOptions::DefaultOf(space());
  const SyntheticDistribution d = FitSyntheticDistribution(candidates, pointers, o.fit);
  SyntheticDevice device(space(), 7, d.Sample(7, o), o, false), same(space(), 7, d.Sample(7, o), o, false),
      other(space(), 8, d.Sample(8, o), o, false);
  const Arch outside = RandomCandidates(space(), 1, 1234).at(0);
  const double ms = device.Measure(outside).latency_ms;
  EXPECT_GT(ms, 0.0);
  EXPECT_EQ(ms, same.Measure(outside).latency_ms);
  EXPECT_EQ(device.Spec(), "synthetic:7");
  EXPECT_EQ(device.Fingerprint(), same.Fingerprint());
  EXPECT_NE(device.Fingerprint(), other.Fingerprint());
  for (const Space* s : Spaces()) {
    if (s == &space()) continue;
    std::mt19937_64 rng(1);
    EXPECT_THROW(device.Measure(s->RandomArch(rng)), DeviceError) << s->name();
  }
}

INSTANTIATE_TEST_SUITE_P(Spaces, SyntheticLutOfSpace, ::testing::Values("nb201", "fbnet"));

TEST(SyntheticOptions, SpaceDefaultsPresetsAndNewKeysRoundTrip) {
  const SyntheticOptions fbnet = SyntheticOptions::DefaultOf(FindSpace("fbnet"));
  EXPECT_EQ(fbnet.fit, LutFitKind::kPerPosition);
  EXPECT_EQ(fbnet.sampler, SyntheticSampler::kDirichlet);
  EXPECT_EQ(SyntheticOptions::DefaultOf(FindSpace("nb201")), SyntheticOptions::Paper());
  EXPECT_EQ(SyntheticOptions::Parse("", "fit=position,sampler=dirichlet"), fbnet);
  EXPECT_EQ(SyntheticOptions::Parse("default", "fit=position,sampler=dirichlet"), fbnet);
  EXPECT_EQ(SyntheticOptions::Parse("paper", "fit=position,sampler=dirichlet"), SyntheticOptions::Paper());
  const SyntheticOptions o = SyntheticOptions::Parse("alpha=0.5,stage_sigma=0.2", "fit=position,sampler=dirichlet");
  EXPECT_EQ(o.sampler, SyntheticSampler::kDirichlet);
  EXPECT_DOUBLE_EQ(o.alpha, 0.5);
  EXPECT_EQ(SyntheticOptions::Parse(o.ToString()), o);
  EXPECT_THROW(SyntheticOptions::Parse("alpha=0"), ParseError);
  EXPECT_THROW(SyntheticOptions::Parse("fit=diagonal"), ParseError);
}

}  // namespace
}  // namespace simnas
