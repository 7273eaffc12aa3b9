// `simnas --space NAME synth fit|sample` and `measure --device synthetic:SEED` on the real data
// of every registered space with device tables: the train tables' fits, sampled devices compared
// with the real tables, and a device that times an architecture the same way every time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "simnas/space/registry.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"
#include "test_support.h"

namespace simnas {
namespace {

class SyntheticCli : public ::testing::TestWithParam<std::string> {
 protected:
  const Space& space() const { return FindSpace(GetParam()); }
  static std::filesystem::path Folder() {
    const char* env = std::getenv("SIMNAS_DATA");
    return env != nullptr && *env != '\0' ? std::filesystem::path(env) : testing::RepoFile("data");
  }
};

TEST_P(SyntheticCli, FitReportsEveryTrainDeviceAndSampleComparesWithTheRealTables) {
  const auto fit = testing::RunCli({"--space", GetParam(), "synth", "fit", "--json"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  const nlohmann::json j = nlohmann::json::parse(fit.out);
  const SpaceData data(space(), DataDir(Folder()));
  ASSERT_EQ(j["devices"].size(), data.TrainDevices().size());
  for (const auto& d : j["devices"]) {
    EXPECT_FALSE(space().IsTestDevice(d["device"].get<std::string>()));
    EXPECT_GT(d["r2"].get<double>(), 0.3) << d["device"];
    EXPECT_LE(d["r2"].get<double>(), 1.0);
    EXPECT_GT(d["spearman"].get<double>(), 0.5) << d["device"];
    ASSERT_EQ(d["lut"]["cost_ms"].size(), static_cast<std::size_t>(space().positions()));
  }
  const auto sample = testing::RunCli({"--space", GetParam(), "synth", "sample", "--count", "4", "--seed", "10", "--json"});
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  const nlohmann::json s = nlohmann::json::parse(sample.out);
  EXPECT_EQ(s["devices"].size(), 4u);
  EXPECT_EQ(s["devices"][0]["spec"], "synthetic:10");
  EXPECT_EQ(s["pairwise_synthetic"].size(), 6u);
  EXPECT_EQ(s["real"].size(), data.DeviceNames().size());
  const auto bad = testing::RunCli({"--space", GetParam(), "synth", "sample", "--options", "sampler=uniform"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(testing::CountLines(bad.err), 1) << bad.err;
}

TEST_P(SyntheticCli, MeasureAnswersAnArchitectureTheSameEachTimeWithAndWithoutOptions) {
  std::mt19937_64 rng(3);
  const std::string arch = space().Format(space().RandomArch(rng));
  testing::TempDir tmp;
  for (const std::string device : {"synthetic:3", "synthetic:3,scale=0.2"}) {
    const std::vector<std::string> args = {"--store", (tmp / "p.sqlite").string(), "--space", GetParam(), "measure",
                                           "--device", device, "--arch", arch, "--json"};
    const auto a = testing::RunCli(args), b = testing::RunCli(args);
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    const nlohmann::json ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    EXPECT_GT(ja["latency_ms"].get<double>(), 0.0);
    EXPECT_EQ(ja["latency_ms"], jb["latency_ms"]);
  }
}

INSTANTIATE_TEST_SUITE_P(Spaces, SyntheticCli, ::testing::Values("nb201", "fbnet"));

}  // namespace
}  // namespace simnas
