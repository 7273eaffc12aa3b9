// The CLI is space-blind: every command takes --space NAME for every registered space, with the
// same flags meaning the same thing; and a table CSV that `measure-all --sample K` wrote is a
// device whose searches choose among the architectures it holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/data/latency_table.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "test_support.h"

namespace simnas {
namespace {
namespace fs = std::filesystem;

nlohmann::json JsonOf(const testing::CliResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out.empty() ? "null" : r.out);
}

TEST(SpaceCli, ArchTakesEverySpace) {
  for (const Space* space : BuiltInSpaces()) {
    SCOPED_TRACE(space->name());
    const std::string name(space->name());
    const nlohmann::json first = JsonOf(testing::RunCli({"--space", name, "arch", "--index", "0", "--json"}));
    EXPECT_EQ(first["space"], name);
    EXPECT_EQ(first["index"], 0);
    ASSERT_EQ(first["choices"].size(), static_cast<std::size_t>(space->positions()));
    // --arch reads the string --index printed, and finds the same index.
    const nlohmann::json again =
        JsonOf(testing::RunCli({"--space", name, "arch", "--arch", first["arch"].get<std::string>(), "--json"}));
    EXPECT_EQ(again, first);
    const nlohmann::json random =
        JsonOf(testing::RunCli({"--space", name, "arch", "--random", "--seed", "5", "--json"}));
    EXPECT_EQ(space->Parse(random["arch"].get<std::string>()).ToString(), random["arch"]);
    const testing::CliResult text = testing::RunCli({"--space", name, "arch", "--index", "0"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(testing::CountLines(text.out), 2 + space->positions()) << text.out;
  }
}

TEST(SpaceCli, DevicesTakesEverySpaceAndListsItsSplit) {
  for (const Space* space : BuiltInSpaces()) {
    SCOPED_TRACE(space->name());
    const std::string name(space->name());
    const nlohmann::json j = JsonOf(testing::RunCli({"--space", name, "devices", "--json"}));
    EXPECT_EQ(j["space"], name);
    const SpaceData data(*space, testing::Data().dir());
    ASSERT_EQ(j["tables"].size(), data.DeviceNames().size());
    for (const auto& t : j["tables"]) {
      EXPECT_EQ(t["split"], space->IsTestDevice(t["name"].get<std::string>()) ? "test" : "train") << t;
      EXPECT_LE(t["min_ms"].get<double>(), t["median_ms"].get<double>());
    }
    const testing::CliResult text = testing::RunCli({"--space", name, "devices"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find(std::string(space->title())), std::string::npos) << text.out;
  }
}

TEST(SpaceCli, AnUnknownSpaceListsTheKnownOnes) {
  const testing::CliResult r = testing::RunCli({"--space", "no-such-space", "arch", "--index", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  for (const Space* space : BuiltInSpaces()) EXPECT_NE(r.err.find(std::string(space->name())), std::string::npos) << r.err;
}

// measure-all --sample 300 on a table device writes a partial table; a search on it probes and
// answers only architectures of that table, within the budget, for every seed.
TEST(PartialTableCli, SearchesOnlyTheArchitecturesOfAMeasureAllSample) {
  const testing::TempDir tmp;
  for (const Space* space : BuiltInSpaces()) {
    SCOPED_TRACE(space->name());
    const std::string name(space->name());
    const SpaceData data(*space, testing::Data().dir());
    const std::string device = data.TrainDevices().front();
    const fs::path csv = tmp / (name + "-sample.csv");
    const testing::CliResult measured =
        testing::RunCli({"--space", name, "--store", (tmp / "probes.sqlite").string(), "measure-all", "--device",
                         "table:" + device, "--sample", "300", "--seed", "2", "--out", csv.string()});
    ASSERT_EQ(measured.exit_code, 0) << measured.err;
    const LatencyTable table = LoadLatencyCsv(csv, data.Numbering().size());
    ASSERT_EQ(table.CountKnown(), 300);
    const std::vector<int> known = table.KnownIndices();
    const std::set<int> held(known.begin(), known.end());
    // The budget: the sample's median latency (about half of the table is within it).
    std::vector<double> ms;
    for (int i : known) ms.push_back(table.At(i));
    std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(ms.size() / 2), ms.end());
    const double budget = ms[ms.size() / 2];
    int violations = 0;
    for (const char* strategy : {"default", "random"}) {
      for (int seed = 0; seed < 10; ++seed) {
        const testing::CliResult r = testing::RunCli(
            {"--space", name, "--store", (tmp / "probes.sqlite").string(), "search", "--device",
             "table:" + csv.string(), "--strategy", strategy, "--budget-ms", fmt::format("{:.6f}", budget), "--seed",
             std::to_string(seed), "--json"});
        if (r.exit_code != 0) {
          ++violations;
          ADD_FAILURE() << strategy << " seed " << seed << ": " << r.err;
          continue;
        }
        const nlohmann::json j = nlohmann::json::parse(r.out);
        const int index = j["index"].get<int>();
        EXPECT_EQ(held.count(index), 1u) << strategy << " seed " << seed << " answered " << index;
        for (const auto& probe : j["trajectory"]) {
          EXPECT_EQ(held.count(probe["index"].get<int>()), 1u) << "probed outside the table: " << probe;
        }
        if (!j["feasible"].get<bool>() || j["latency_ms"].get<double>() > budget) ++violations;
        if (held.count(index) > 0) {
          EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), table.At(index));
        }
      }
    }
    EXPECT_EQ(violations, 0) << name;
  }
}

}  // namespace
}  // namespace simnas
