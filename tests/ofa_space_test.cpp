// The Once-for-All MobileNet-V3 space as a registered definition (`ofa-mbv3`): its positions,
// text forms and canonical comparison, its networks through the Space interface (upstream's
// parameter and multiply-add counts), and, with the data folder (tests/needs_data.txt:
// OfaSpaceData.*, OfaSpaceCli.*), HELP's numbering, the 12 tables replayed exactly, the Note10
// lookup table as a device, the predicted accuracy as the space's score, `data fetch`, a
// search through the generic strategies, a benchmark group and the monotonicity matrix with the
// Note10 (over the networks it answers).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/bench/run_record.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/data/data_dir.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/ofa_mbv3/ofa_data.h"
#include "simnas/spaces/ofa_mbv3/ofa_space.h"
#include "test_support.h"

namespace simnas {
namespace {

// HELP's architecture 0 (help-ofa/ofa_archs.pt), in the text form and as the data file's dict.
constexpr const char* kArch0Text = "r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3";
constexpr const char* kArch0Dict =
    "{'ks': [7, 5, 5, 5, 7, 7, 5, 7, 5, 7, 3, 7, 5, 3, 7, 3, 5, 3, 5, 3], "
    "'e': [6, 4, 4, 6, 6, 3, 4, 3, 3, 6, 3, 3, 3, 6, 3, 4, 6, 4, 3, 6], 'd': [2, 2, 2, 2, 3], 'r': 204}";

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }


const Space& Ofa() { return FindSpace("ofa-mbv3"); }

TEST(OfaSpace, IsRegisteredWithItsPositionsSplitAndSources) {
  const Space& s = Ofa();
  EXPECT_EQ(&s, &OfaMbv3Space());
  EXPECT_EQ(s.name(), "ofa-mbv3");
  EXPECT_EQ(s.arch_noun(), "network");
  EXPECT_EQ(s.positions(), 46);
  EXPECT_EQ(s.choices(0), 3);
  EXPECT_EQ(s.choices(45), 25);
  EXPECT_EQ(s.PositionName(45), "resolution");
  EXPECT_EQ(s.ChoiceName(45, 19), "204");
  EXPECT_EQ(s.ChoiceName(0, 2), "4");                 // depth
  EXPECT_EQ(s.ChoiceName(5, 1), "5");                 // kernel
  EXPECT_EQ(s.ChoiceName(25, 2), "6");                // expansion
  EXPECT_EQ(s.SpaceSize(), std::nullopt);             // canonical forms collapse combinations
  EXPECT_EQ(s.Datasets(), std::vector<Dataset>{Dataset::kImageNet});
  EXPECT_TRUE(s.AccuracyDatasets().empty());          // no measured accuracy exists
  EXPECT_EQ(s.TestDevices(), (std::vector<std::string>{"titan_rtx_1", "titan_rtx_32", "titan_rtx_64", "note10"}));
  EXPECT_TRUE(s.IsTestDevice("note10"));
  EXPECT_FALSE(s.IsTestDevice("v100_64"));
  EXPECT_EQ(s.OwnDeviceNames(), std::vector<std::string>{"note10"});
  EXPECT_EQ(s.ScoreSources(), std::vector<std::string>{"predicted-accuracy"});
  EXPECT_EQ(s.ScoreName("predicted-accuracy"), "predicted accuracy");
  // The generic defaults of a space without these capabilities.
  const Space& nb201 = FindSpace("nb201");
  EXPECT_TRUE(nb201.OwnDeviceNames().empty());
  EXPECT_TRUE(nb201.ScoreSources().empty());
  // Its data files are in the manifest with their content checks.
  const std::vector<DataFileSpec> files = s.DataFiles();
  EXPECT_EQ(files.size(), 12u + 1 + 1 + 17);
  for (const DataFileSpec& f : files) EXPECT_TRUE(static_cast<bool>(f.validate)) << f.path;
}

TEST(OfaSpace, TextFormsRoundTripAndUnusedSlotsAreIgnored) {
  const Space& s = Ofa();
  const Arch a = s.Parse(kArch0Text);
  EXPECT_EQ(s.Format(a), kArch0Text);
  EXPECT_EQ(a.ToString(), kArch0Text);
  EXPECT_EQ(s.Parse(kArch0Dict), a);  // the data file's {ks, e, d, r} form
  EXPECT_EQ(s.Parse(R"({"ks": [7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3], "e": [6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6],
                        "d": [2,2,2,2,3], "r": [204]})"),
            a);
  // Another kernel and expansion in an unused slot (stage 1 has depth 2: slots 2 and 3 unused)
  // is the same network.
  Arch::Choices c = a.choices();
  c[5 + 2] = 2;
  c[25 + 3] = 1;
  EXPECT_EQ(s.MakeArch(c), a);
  c[5 + 1] = 0;  // a used slot: another network
  EXPECT_NE(s.MakeArch(c), a);
  // Random architectures round-trip through both text forms; a mutant always differs.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    const Arch r = s.RandomArch(rng);
    EXPECT_EQ(s.Parse(s.Format(r)), r) << r.ToString();
    EXPECT_EQ(s.Parse(OfaOf(r).ToDictString()), r) << r.ToString();
    EXPECT_NE(s.Mutate(r, rng), r) << r.ToString();
  }
  // Bad text: one line naming what is wrong.
  const std::string m = MessageOf<ParseError>([&] { s.Parse("r204_k7e6"); });
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_FALSE(m.empty());
  EXPECT_THROW(OfaOf(FindSpace("nb201").RandomArch(rng)), Error);
}

TEST(OfaSpace, NetworksHaveUpstreamsParameterAndMultiplyAddCounts) {
  const Space& s = Ofa();
  NetworkOptions o;
  o.dataset = Dataset::kImageNet;
  const auto uniform = [&](int choice, int resolution) {
    Arch::Choices c(46, static_cast<std::uint8_t>(choice));
    c[45] = static_cast<std::uint8_t>((resolution - 128) / 4);
    return s.MakeArch(c);
  };
  EXPECT_EQ(s.Describe(uniform(0, 224), o).ParameterCount(), 4'602'456);   // k3 e3 d2
  EXPECT_EQ(s.Describe(uniform(2, 224), o).ParameterCount(), 10'701'632);  // k7 e6 d4
  const Arch a = s.Parse(kArch0Text);
  EXPECT_EQ(s.InputSize(a, Dataset::kImageNet), 204);
  const NetworkDescription d = s.Describe(a, o);
  EXPECT_EQ(d.ParameterCount(), 6'132'040);
  EXPECT_EQ(d.MultiplyAdds(), 305'047'776);  // 305.05 M at r = 204
  EXPECT_EQ(d.input_shape(), (LayerShape{3, 204, 204}));
  EXPECT_EQ(d.layer(d.output()).shape, (LayerShape{1000, 1, 1}));
  // A given input size and class count replace the architecture's own.
  o.input_size = 160;
  o.num_classes = 10;
  const NetworkDescription d160 = s.Describe(a, o);
  EXPECT_EQ(d160.input_shape(), (LayerShape{3, 160, 160}));
  EXPECT_EQ(d160.layer(d160.output()).shape, (LayerShape{10, 1, 1}));
  EXPECT_EQ(s.InputSizeProblem(224), "");
  EXPECT_NE(s.InputSizeProblem(16), "");
}

TEST(OfaSpace, LiveDevicesTimeEachNetworkAtItsOwnResolution) {
  const SpaceData data(Ofa(), DataDir(std::filesystem::path("/nonexistent")));  // opening reads nothing
  DeviceEnvironment env;
  env.data = &data;
  EXPECT_EQ(OpenDevice("local", env)->Spec(), "local:threads=1,batch=1,input=own");
  EXPECT_EQ(OpenDevice("opencv", env)->Spec(), "opencv:threads=1,batch=1,input=own");
  EXPECT_TRUE(Contains(OpenDevice("local", env)->Fingerprint(), "input=own|classes=1000"));
  EXPECT_EQ(OpenDevice("local:input=224", env)->Spec(), "local:threads=1,batch=1,input=224");
  EXPECT_THROW(OpenDevice("local:input=16", env), ParseError);  // below what the space's networks take
  // Another space keeps its defaults.
  const SpaceData nb201(FindSpace("nb201"), DataDir(std::filesystem::path("/nonexistent")));
  env.data = &nb201;
  EXPECT_EQ(OpenDevice("local", env)->Spec(), "local:threads=1,batch=1,input=32");
}

// ---- With the data folder (tests/needs_data.txt) ----

DataDir OfaDir() { return testing::Data().dir(); }

DeviceEnvironment OfaDevices(const SpaceData& data) {
  DeviceEnvironment env;
  env.data = &data;
  env.open_synthetic = [&data](const DeviceSpec& spec) -> std::unique_ptr<Device> {
    return OpenSyntheticDevice(data, spec);
  };
  return env;
}

TEST(OfaSpaceData, NumbersHelpsFiveThousandWithTheSplit) {
  const SpaceData data(Ofa(), OfaDir());
  const CandidateSet& n = data.Numbering();
  ASSERT_EQ(n.size(), 5000);
  EXPECT_EQ(n.at(0).ToString(), kArch0Text);
  EXPECT_EQ(n.IndexOf(Ofa().Parse(kArch0Dict)), 0);
  for (int i = 0; i < n.size(); ++i) ASSERT_EQ(n.IndexOf(n.at(i)), i);  // all distinct
  EXPECT_EQ(data.DeviceNames().size(), 12u);
  EXPECT_EQ(data.TestDevices(), (std::vector<std::string>{"titan_rtx_1", "titan_rtx_32", "titan_rtx_64"}));
  EXPECT_EQ(data.TrainDevices(),
            (std::vector<std::string>{"2080ti_1", "2080ti_32", "2080ti_64", "titan_xp_1", "titan_xp_32", "titan_xp_64",
                                      "v100_1", "v100_32", "v100_64"}));
}

TEST(OfaSpaceData, TableDevicesReplayEveryHelpTableExactly) {
  const SpaceData data(Ofa(), OfaDir());
  const CandidateSet& n = data.Numbering();
  for (const std::string& name : OfaDeviceNames()) {
    const LatencyTable file = LoadOfaLatencyTable(OfaLatencyFile(OfaDir(), name));
    std::unique_ptr<Device> device = OpenDevice("table:" + name, OfaDevices(data));
    EXPECT_FALSE(device->IsLive());
    for (int i = 0; i < n.size(); ++i) {
      // Through the text form, as `--arch` hands it over.
      ASSERT_EQ(device->Measure(Ofa().Parse(n.at(i).ToString())).latency_ms, file.At(i)) << name << " " << i;
    }
    // A network HELP did not measure is refused.
    Arch::Choices largest(46, 2);
    EXPECT_THROW(device->Measure(Ofa().MakeArch(largest)), DeviceError) << name;
  }
}

TEST(OfaSpaceData, Note10LookupTableIsADeviceOfTheSpace) {
  const SpaceData data(Ofa(), OfaDir());
  std::unique_ptr<Device> note10 = OpenDevice("table:note10", OfaDevices(data));
  EXPECT_FALSE(note10->IsLive());
  // Reference sums: tests/fixtures/ofa_reference.py (python3 + yaml, upstream's operator keys).
  EXPECT_NEAR(note10->Measure(data.Numbering().at(0)).latency_ms, 31.57218988622376, 1e-9);
  EXPECT_NEAR(note10->Measure(data.Numbering().at(4)).latency_ms, 35.60528707564963, 1e-9);
  Arch::Choices largest(46, 2);  // k7 e6 d4 at r = 224, not one of HELP's
  largest[45] = 24;
  EXPECT_NEAR(note10->Measure(Ofa().MakeArch(largest)).latency_ms, 92.398037994780054, 1e-9);
  // A resolution the table does not cover: one line naming it and the ones covered.
  Arch::Choices small(46, 0);  // r = 128
  const std::string m = MessageOf<DeviceError>([&] { note10->Measure(Ofa().MakeArch(small)); });
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_TRUE(Contains(m, "table:note10")) << m;
  EXPECT_TRUE(Contains(m, "no resolution 128 (it has 160 164 ... 224)")) << m;
  // A search on it chooses among the 5,000 - 1,554 numbered networks at r >= 160.
  ASSERT_NE(note10->ReplayedTable(), nullptr);
  EXPECT_EQ(note10->ReplayedTable()->CountKnown(), 5000 - 1554);
  EXPECT_EQ(note10->ReplayedTable()->At(0), note10->Measure(data.Numbering().at(0)).latency_ms);
  // The bare name opens it too; another space's architecture is refused.
  EXPECT_EQ(OpenDevice("note10", OfaDevices(data))->Spec(), "table:note10");
  std::mt19937_64 rng(1);
  EXPECT_THROW(note10->Measure(FindSpace("nb201").RandomArch(rng)), DeviceError);
  // An unknown name still says which tables exist.
  EXPECT_THROW(OpenDevice("table:pixel3", OfaDevices(data)), DataError);
}

TEST(OfaSpaceData, PredictedAccuracyIsTheSpacesScore) {
  const SpaceData data(Ofa(), OfaDir());
  const std::vector<double> scores = Ofa().Scores("predicted-accuracy", data.Numbering(), data);
  ASSERT_EQ(scores.size(), 5000u);
  // Percent: the predictor's fraction (tests/fixtures/ofa_reference.py) times 100.
  EXPECT_NEAR(scores[0], 79.155210015712307, 1e-3);
  for (double v : scores) {
    EXPECT_GT(v, 60.0);
    EXPECT_LT(v, 90.0);
  }
  const std::string m = MessageOf<ParseError>([&] { Ofa().Scores("accuracy", data.Numbering(), data); });
  EXPECT_TRUE(Contains(m, "predicted-accuracy")) << m;
}

TEST(OfaSpaceData, SyntheticDevicesAreFittedOnTheTrainTablesAndDeterministic) {
  const SpaceData data(Ofa(), OfaDir());
  // Slots beyond a stage's depth do no work on a synthetic device.
  const Arch arch0 = data.Numbering().at(0);  // depths 2 2 2 2 3
  const std::vector<std::uint8_t> live = Ofa().LivePositions(arch0);
  ASSERT_EQ(live.size(), 46u);
  EXPECT_EQ(live[5], 1);   // stage 0, slot 0 kernel
  EXPECT_EQ(live[7], 0);   // stage 0, slot 2 kernel: depth 2
  EXPECT_EQ(live[27], 0);  // stage 0, slot 2 expansion
  EXPECT_EQ(live[45], 1);  // resolution
  std::unique_ptr<Device> a = OpenDevice("synthetic:3", OfaDevices(data));
  std::unique_ptr<Device> b = OpenDevice("synthetic:3", OfaDevices(data));
  std::unique_ptr<Device> c = OpenDevice("synthetic:4", OfaDevices(data));
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    const double la = a->Measure(data.Numbering().at(i)).latency_ms;
    EXPECT_GT(la, 0.0);
    EXPECT_EQ(la, b->Measure(data.Numbering().at(i)).latency_ms);
    differ += la != c->Measure(data.Numbering().at(i)).latency_ms;
  }
  EXPECT_GT(differ, 40);
}

// The CLI runs below keep their probe store and cache in the test's folder.
std::vector<std::string> Cli(const testing::TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> out = {"--store", (dir / "p.sqlite").string(), "--cache", (dir / "cache").string(),
                                  "--space", "ofa-mbv3"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

TEST(OfaSpaceCli, DataFetchCopiesTheSpacesFiles) {
  testing::TempDir dir;
  const testing::CliResult r =
      testing::RunCli({"--data", (dir / "data").string(), "data", "fetch", "--mirror", OfaDir().root().string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const DataFileSpec& f : Ofa().DataFiles()) {
    EXPECT_TRUE(std::filesystem::exists(dir / "data" / f.path)) << f.path;
  }
  const testing::CliResult v = testing::RunCli({"--data", (dir / "data").string(), "data", "verify", "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_TRUE(Contains(v.out, "ofa-mbv3/acc_predictor.pth")) << v.out;
}

TEST(OfaSpaceCli, IndexReplaysEveryHelpTable) {
  testing::TempDir dir;
  const std::vector<std::string> names = OfaDeviceNames();
  for (std::size_t k = 0; k < names.size(); ++k) {
    const int index = static_cast<int>(k * 409 + 3);
    const LatencyTable file = LoadOfaLatencyTable(OfaLatencyFile(OfaDir(), names[k]));
    const testing::CliResult r = testing::RunCli(
        Cli(dir, {"measure", "--device", "table:" + names[k], "--index", std::to_string(index), "--json"}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["latency_ms"].get<double>(), file.At(index)) << names[k];
    EXPECT_EQ(j["index"].get<int>(), index);
    EXPECT_EQ(j["space"], "ofa-mbv3");
  }
  const testing::CliResult bad = testing::RunCli(Cli(dir, {"measure", "--device", "table:v100_1", "--index", "5000"}));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(testing::CountLines(bad.err), 1) << bad.err;
}

TEST(OfaSpaceCli, ExportWritesTheNetworkAtItsResolution) {
  testing::TempDir dir;
  const testing::CliResult r =
      testing::RunCli(Cli(dir, {"export", "--index", "0", "--out", (dir / "a.onnx").string(), "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["arch"], kArch0Text);
  EXPECT_EQ(j["dataset"], "ImageNet-1k");
  EXPECT_EQ(j["parameters"].get<std::int64_t>(), 6'132'040);
  EXPECT_EQ(j["multiply_adds"].get<std::int64_t>(), 305'047'776);
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json::array({1, 3, 204, 204}));
  std::int64_t outputs = 1;
  for (const auto& n : j["outputs"][0]["shape"]) outputs *= n.get<std::int64_t>();
  EXPECT_EQ(outputs, 1000);
  EXPECT_GT(std::filesystem::file_size(dir / "a.onnx"), 20'000'000u);  // 6.1 M float weights
}

TEST(OfaSpaceCli, SearchOnATestTableAnswersWithinTheBudget) {
  testing::TempDir dir;
  const SpaceData data(Ofa(), OfaDir());
  for (const std::string device : {"titan_rtx_1", "note10"}) {
    // The median of the device's latencies over HELP's networks (the Note10's over those it covers).
    std::vector<double> ms;
    if (device == "note10") {
      std::unique_ptr<Device> d = OpenDevice("table:note10", OfaDevices(data));
      for (int i = 0; i < data.Numbering().size(); i += 7) {
        try {
          ms.push_back(d->Measure(data.Numbering().at(i)).latency_ms);
        } catch (const DeviceError&) {
        }
      }
    } else {
      ms = data.DeviceTable(device).values();
    }
    std::nth_element(ms.begin(), ms.begin() + static_cast<long>(ms.size() / 2), ms.end());
    const double budget = ms[ms.size() / 2];
    const testing::CliResult r = testing::RunCli(Cli(
        dir, {"search", "--device", "table:" + device, "--budget-ms", fmt::format("{:.6f}", budget), "--json"}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["score"], "predicted accuracy") << r.out;
    EXPECT_TRUE(j["accuracy"].is_null()) << r.out;
    EXPECT_TRUE(j["feasible"].get<bool>()) << r.out;
    const Arch answer = Ofa().Parse(j["arch"].get<std::string>());
    EXPECT_LE(j["latency_ms"].get<double>(), budget) << r.out;
    EXPECT_EQ(data.Numbering().IndexOf(answer), j["index"].get<int>());
    EXPECT_GT(j["score_value"].get<double>(), 60.0);  // a predicted accuracy in percent
  }
}

TEST(OfaSpaceCli, BenchGroupOnNote10RunsOverTheNetworksItAnswers) {
  testing::TempDir dir;
  const SpaceData data(Ofa(), OfaDir());
  std::unique_ptr<Device> note10 = OpenDevice("table:note10", OfaDevices(data));
  const LatencyTable& answered = *note10->ReplayedTable();
  std::vector<double> ms;
  for (int i : answered.KnownIndices()) ms.push_back(answered.At(i));
  ASSERT_EQ(ms.size(), 3446u);
  // No "datasets": the space's own (ImageNet-1k).
  const std::filesystem::path config = dir / "c.json";
  WriteFileAtomically(config, R"({"name": "n", "seeds": 2, "groups": [{"name": "n", "space": "ofa-mbv3",
      "kind": "percentile", "devices": ["note10"], "percentiles": [50], "probes": [10],
      "strategies": ["default", "random"], "objective": "predicted-accuracy"}]})");
  const testing::CliResult r =
      testing::RunCli(Cli(dir, {"bench", "--config", config.string(), "--out", (dir / "out").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::vector<RunRecord> rows = ReadRunRecords(dir / "out" / "runs.jsonl");
  ASSERT_EQ(rows.size(), 4u);
  for (const RunRecord& row : rows) {
    SCOPED_TRACE(row.key);
    EXPECT_EQ(row.dataset, "ImageNet-1k");
    ASSERT_TRUE(row.score && row.answer);
    EXPECT_EQ(row.score->candidates, 3446);
    EXPECT_DOUBLE_EQ(*row.budget_ms, Percentile(ms, 50));
    for (int i : row.trajectory) EXPECT_TRUE(answered.Has(i)) << i;
    EXPECT_TRUE(answered.Has(row.answer->index));
    EXPECT_EQ(row.answer->true_latency_ms, answered.At(row.answer->index));
  }
  const std::string report = ReadFile(dir / "out" / "report.md");
  EXPECT_TRUE(Contains(report, "the 3446 of the 5000 networks that device note10 answers")) << report;
}

TEST(OfaSpaceCli, MonotonicityPairsNote10OverTheNetworksItAnswers) {
  testing::TempDir dir;
  const testing::CliResult r =
      testing::RunCli(Cli(dir, {"monotonicity", "--devices", "2080ti_1,titan_rtx_1,note10", "--estimate-k", "10",
                                "--repeats", "5", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total"], 5000);
  EXPECT_EQ(j["cells"], 3446);
  EXPECT_EQ(j["answered"], nlohmann::json::array({5000, 5000, 3446}));
  EXPECT_EQ(j["pair_cells"][0][1], 5000);
  EXPECT_EQ(j["pair_cells"][0][2], 3446);
  const double srcc = j["srcc"][1][2].get<double>();
  EXPECT_GT(srcc, -1.0);
  EXPECT_LT(srcc, 1.0);
  // The default device list is the 12 tables and the Note10.
  const testing::CliResult all = testing::RunCli(Cli(dir, {"monotonicity", "--estimate-k", "10", "--repeats", "2", "--json"}));
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_EQ(nlohmann::json::parse(all.out)["devices"].size(), 13u);
}

}  // namespace
}  // namespace simnas
