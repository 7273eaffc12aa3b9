// A toy search space registered from the tests (4 positions x 3 choices, 81 architectures, four
// made-up device tables written into the test's temp folder) run through every generic layer
// with no data folder: the registry, text form and moves, candidate sets, the table device (whole
// and partial tables), a device of the space's own that answers only some architectures, probe
// sessions, measure-all, the strategies that apply, the benchmark (its config's defaults and a
// group on the partial device), the linear latency model and AdaProxy, and latency monotonicity
// (pairs over the architectures both devices answer). Nothing here knows a built-in space: a new
// space that passes the same checks works with the whole pipeline.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "simnas/bench/bench_config.h"
#include "simnas/bench/bench_runner.h"
#include "simnas/controller/controller_runner.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/controller/synthetic_env.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/device_spec.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/latency_model/linear.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"
#include "simnas/space/table_file.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/strategies/search_setup.h"
#include "test_support.h"

namespace simnas {
namespace {
namespace fs = std::filesystem;

constexpr int kToyPositions = 4;
constexpr int kToyChoices = 3;
constexpr int kToySize = 81;  // 3^4

double MadeUpLatency(const std::string& device, const Arch& arch);

// The toy's own device "half": answers the architectures whose position 0 is not 'c' (54 of the
// 81), gamma's latency plus 0.5 ms; refuses the others.
class HalfDevice final : public SpaceDevice {
 public:
  double LatencyMs(const Arch& arch) const override {
    if (arch.choice(0) == 2) throw DeviceError(fmt::format("half answers no {} (position 0 is c)", arch.ToString()));
    return MadeUpLatency("gamma", arch) + 0.5;
  }
};
constexpr int kHalfAnswers = 54;

// Architectures are written "a-b-c-a" (one letter per position); the numbering is every
// combination, position 0 the most significant digit; device tables are <data>/toy/<device>.csv.
class ToySpaceDef final : public Space {
 public:
  std::string_view name() const override { return "toy"; }
  std::string_view title() const override { return "a toy space of 4 positions x 3 choices (tests)"; }
  std::string_view arch_noun() const override { return "toy"; }
  int positions() const override { return kToyPositions; }
  int choices(int /*position*/) const override { return kToyChoices; }
  std::string ChoiceName(int /*p*/, int c) const override { return std::string(1, static_cast<char>('a' + c)); }

  Arch Parse(std::string_view text) const override {
    const std::vector<std::string> parts = Split(std::string(text), '-');
    if (static_cast<int>(parts.size()) != kToyPositions) {
      throw ParseError(fmt::format("toy architecture {}: {} positions, expected {}", Quoted(text), parts.size(),
                                   kToyPositions));
    }
    Arch::Choices c;
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (parts[p].size() != 1 || parts[p][0] < 'a' || parts[p][0] >= 'a' + kToyChoices) {
        throw ParseError(fmt::format("toy architecture {}: position {} is {}, expected a, b or c", Quoted(text), p,
                                     Quoted(parts[p])));
      }
      c.push_back(static_cast<std::uint8_t>(parts[p][0] - 'a'));
    }
    return MakeArch(std::move(c));
  }
  std::string Format(const Arch& arch) const override {
    std::string out;
    for (int p = 0; p < kToyPositions; ++p) {
      if (p > 0) out.push_back('-');
      out.push_back(static_cast<char>('a' + arch.choice(p)));
    }
    return out;
  }

  CandidateSet LoadNumbering(const DataDir& /*dir*/) const override {
    std::vector<Arch> archs;
    for (int code = 0; code < kToySize; ++code) archs.push_back(ArchOfCode(code));
    return CandidateSet(*this, std::move(archs), "the toy space's 81 architectures");
  }
  std::vector<std::string> DeviceTableNames(const DataDir& dir) const override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir.root() / "toy", ec)) {
      if (entry.path().extension() == ".csv") names.push_back(entry.path().stem().string());
    }
    if (ec) throw DataError(fmt::format("{}: {}", (dir.root() / "toy").string(), ec.message()));
    std::sort(names.begin(), names.end());
    return names;
  }
  LatencyTable LoadDeviceTable(const DataDir& dir, const std::string& device) const override {
    const fs::path path = dir.root() / "toy" / (device + ".csv");
    if (!fs::exists(path)) throw DataError(fmt::format("no toy latency table for device {}", Quoted(device)));
    return LoadLatencyCsv(path, kToySize);
  }
  std::vector<std::string> TestDevices() const override { return {"gamma", "half"}; }
  std::vector<std::string> OwnDeviceNames() const override { return {"half"}; }
  std::unique_ptr<SpaceDevice> OpenOwnDevice(const std::string& name, const SpaceData& /*data*/) const override {
    if (name != "half") return nullptr;
    return std::make_unique<HalfDevice>();
  }
  std::vector<Dataset> Datasets() const override { return {Dataset::kCifar10}; }
  NetworkDescription Describe(const Arch& /*arch*/, const NetworkOptions& /*options*/) const override {
    throw ParseError("the toy space has no network");
  }

  Arch ArchOfCode(int code) const {
    Arch::Choices c(kToyPositions);
    for (int p = kToyPositions - 1; p >= 0; --p) {
      c[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(code % kToyChoices);
      code /= kToyChoices;
    }
    return MakeArch(std::move(c));
  }
};

const ToySpaceDef& Toy() {
  static const ToySpaceDef space;
  return space;
}

// A made-up device: 1 ms plus a cost per (position, choice); the devices differ in how much each
// position costs, so their rankings agree only in part (the test device most with beta).
double MadeUpLatency(const std::string& device, const Arch& arch) {
  static const std::map<std::string, std::vector<double>> kScale = {
      {"alpha", {1.0, 2.0, 3.0, 4.0}},
      {"beta", {4.0, 3.0, 2.0, 1.0}},
      {"delta", {1.0, 1.5, 2.0, 2.5}},
      {"gamma", {3.5, 3.0, 2.5, 1.0}}};
  const std::vector<double>& scale = kScale.at(device);
  double ms = 1.0;
  for (int p = 0; p < kToyPositions; ++p) ms += scale[static_cast<std::size_t>(p)] * arch.choice(p) * (1 + 0.1 * p);
  return ms;
}

// The score a search maximizes: bigger choices score higher (and are slower on every device).
ScoreTable MadeUpScores(const CandidateSet& numbering) {
  std::vector<double> values;
  for (const Arch& a : numbering.archs()) {
    double s = 0;
    for (int p = 0; p < kToyPositions; ++p) s += a.choice(p) * (kToyPositions - p) + 0.01 * p * a.choice(p);
    values.push_back(s);
  }
  return ScoreTable("toy-score", std::move(values));
}

void WriteTable(const fs::path& path, const CandidateSet& numbering, const std::string& device,
                const std::vector<int>& indices) {
  std::vector<LatencyCsvRow> rows;
  for (int i : indices) rows.push_back({i, MadeUpLatency(device, numbering.at(i)), 0, 1, numbering.at(i).ToString()});
  SaveLatencyCsv(path, {"made-up toy table " + device}, rows);
}

class ToySpace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterSpace(Toy()); }
  static void TearDownTestSuite() { UnregisterSpace(Toy()); }

  void SetUp() override {
    fs::create_directories(tmp_ / "data" / "toy");
    const CandidateSet numbering = Toy().LoadNumbering(DataDir(tmp_ / "data"));
    std::vector<int> all(kToySize);
    for (int i = 0; i < kToySize; ++i) all[static_cast<std::size_t>(i)] = i;
    for (const char* device : {"alpha", "beta", "delta", "gamma"}) {
      WriteTable(tmp_ / "data" / "toy" / (std::string(device) + ".csv"), numbering, device, all);
    }
    data_ = std::make_unique<SpaceData>(Toy(), DataDir(tmp_ / "data"));
  }

  DeviceEnvironment Devices() const { return DeviceEnvironment{data_.get(), std::nullopt, tmp_ / "cache", {}}; }

  testing::TempDir tmp_;
  std::unique_ptr<SpaceData> data_;
};

TEST_F(ToySpace, IsFoundByNameAndAnUnknownNameListsIt) {
  EXPECT_EQ(&FindSpace("toy"), &Toy());
  const auto spaces = Spaces();
  EXPECT_NE(std::find(spaces.begin(), spaces.end(), &Toy()), spaces.end());
  try {
    FindSpace("no-such-space");
    ADD_FAILURE() << "an unknown space was found";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("toy"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RegisterSpace(Toy()), Error);  // the name is taken
}

TEST_F(ToySpace, ParsesAndFormatsEveryArchitectureAndRefusesBadTextInOneLine) {
  const CandidateSet& numbering = data_->Numbering();
  ASSERT_EQ(numbering.size(), kToySize);
  EXPECT_EQ(Toy().SpaceSize(), std::optional<std::int64_t>(kToySize));
  std::set<std::string> texts;
  for (const Arch& a : numbering.archs()) {
    EXPECT_EQ(Toy().Parse(a.ToString()), a);
    texts.insert(a.ToString());
  }
  EXPECT_EQ(static_cast<int>(texts.size()), kToySize);
  EXPECT_EQ(numbering.at(5).ToString(), "a-a-b-c");
  for (const char* bad : {"a-b-c", "a-b-c-d", "a-b-c-aa", ""}) {
    try {
      Toy().Parse(bad);
      ADD_FAILURE() << bad << " was parsed";
    } catch (const ParseError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  // The generic moves stay in the space: one position changed, neighbours all one change away.
  std::mt19937_64 rng(3);
  const Arch a = Toy().RandomArch(rng);
  const std::vector<Arch> neighbours = Toy().Neighbours(a);
  EXPECT_EQ(static_cast<int>(neighbours.size()), kToyPositions * (kToyChoices - 1));
  for (const Arch& n : neighbours) {
    int changed = 0;
    for (int p = 0; p < kToyPositions; ++p) changed += n.choice(p) != a.choice(p) ? 1 : 0;
    EXPECT_EQ(changed, 1) << n.ToString();
  }
  for (int i = 0; i < 20; ++i) EXPECT_GE(numbering.IndexOf(Toy().Mutate(a, rng)), 0);
}

TEST_F(ToySpace, CandidateSetsNumberSubsetsAndGather) {
  const CandidateSet& numbering = data_->Numbering();
  EXPECT_TRUE(numbering.complete());
  EXPECT_EQ(numbering.IndexOf(Toy().Parse("c-c-c-c")), kToySize - 1);
  const CandidateSet subset = numbering.Subset({80, 3, 40}, "three toys");
  EXPECT_FALSE(subset.complete());
  EXPECT_EQ(subset.size(), 3);
  EXPECT_EQ(subset.NumberOf(0), 80);
  EXPECT_EQ(subset.IndexOf(numbering.at(40)), 2);
  EXPECT_EQ(subset.IndexOf(numbering.at(41)), -1);
  std::vector<double> by_number(kToySize);
  for (int i = 0; i < kToySize; ++i) by_number[static_cast<std::size_t>(i)] = i * 0.5;
  EXPECT_EQ(subset.Gather(by_number), (std::vector<double>{40.0, 1.5, 20.0}));
  EXPECT_THROW(numbering.at(kToySize), ParseError);
  // The space's data: tables by name, the split by the space's test devices.
  EXPECT_EQ(data_->DeviceNames(), (std::vector<std::string>{"alpha", "beta", "delta", "gamma"}));
  EXPECT_EQ(data_->TrainDevices(), (std::vector<std::string>{"alpha", "beta", "delta"}));
  EXPECT_EQ(data_->TestDevices(), (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(data_->Accuracy(Dataset::kCifar10), nullptr);
}

TEST_F(ToySpace, TableDevicesReplayWholeAndPartialTables) {
  const CandidateSet& numbering = data_->Numbering();
  std::unique_ptr<Device> alpha = OpenDevice("table:alpha", Devices());
  ASSERT_NE(alpha->FullTable(), nullptr);
  for (int i : {0, 17, 80}) {
    EXPECT_DOUBLE_EQ(alpha->Measure(numbering.at(i)).latency_ms, MadeUpLatency("alpha", numbering.at(i)));
  }
  // A partial table (as measure-all --sample writes) answers its own architectures only.
  const fs::path partial = tmp_ / "partial.csv";
  WriteTable(partial, numbering, "beta", {2, 30, 31, 79});
  std::unique_ptr<Device> beta = OpenDevice("table:" + partial.string(), Devices());
  EXPECT_EQ(beta->FullTable(), nullptr);
  ASSERT_NE(beta->ReplayedTable(), nullptr);
  EXPECT_EQ(beta->ReplayedTable()->KnownIndices(), (std::vector<int>{2, 30, 31, 79}));
  EXPECT_DOUBLE_EQ(beta->Measure(numbering.at(31)).latency_ms, MadeUpLatency("beta", numbering.at(31)));
  EXPECT_THROW(beta->Measure(numbering.at(32)), DeviceError);
  EXPECT_EQ(LoadTableFile(partial, numbering).CountKnown(), 4);
  // Unknown tables are named.
  EXPECT_THROW(OpenDevice("table:epsilon", Devices()), DataError);
}

TEST_F(ToySpace, ProbeSessionsCountDistinctArchitecturesAndStopAtTheBudget) {
  const CandidateSet& numbering = data_->Numbering();
  std::unique_ptr<Device> device = OpenDevice("table:delta", Devices());
  ProbeSession session(*device, numbering, 2);
  const ProbeRecord* first = session.TryProbe(numbering.at(10));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->index, 10);
  EXPECT_DOUBLE_EQ(first->measurement.latency_ms, MadeUpLatency("delta", numbering.at(10)));
  EXPECT_NE(session.TryProbe(numbering.at(10)), nullptr);  // again: free
  EXPECT_EQ(session.used(), 1);
  EXPECT_NE(session.TryProbe(numbering.at(11)), nullptr);
  EXPECT_EQ(session.TryProbe(numbering.at(12)), nullptr);  // budget spent
  EXPECT_EQ(session.remaining(), 0);
}

TEST_F(ToySpace, MeasureAllOfASampleWritesATableThatSearchesOnlyItsArchitectures) {
  const CandidateSet& numbering = data_->Numbering();
  std::unique_ptr<Device> alpha = OpenDevice("table:alpha", Devices());
  MeasureAllRequest request;
  request.device_spec = "table:alpha";
  request.sample = 30;
  request.seed = 4;
  request.out = tmp_ / "sample.csv";
  const MeasureAllJob job = MakeMeasureAllJob(*alpha, numbering, request);
  EXPECT_NE(job.run_id.find("toy"), std::string::npos) << job.run_id;  // not the default space: named
  ProbeStore store(tmp_ / "probes.sqlite");
  const MeasureAllOutcome outcome = MeasureAllToCsv(*alpha, numbering, job, store);
  EXPECT_EQ(outcome.written, 30);
  EXPECT_TRUE(outcome.missing.empty());

  const std::set<int> sampled(job.indices.begin(), job.indices.end());
  const ScoreTable scores = MadeUpScores(numbering);
  const double budget = 12.0;
  int violations = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    std::unique_ptr<Device> device = OpenDevice("table:" + (tmp_ / "sample.csv").string(), Devices());
    const SearchSetup setup(*data_, *device, scores);
    ASSERT_EQ(setup.candidates().size(), 30);
    std::unique_ptr<Strategy> strategy = MakeStrategy("default", StrategyResources{}, Toy());
    SearchTask task;
    task.latency_budget_ms = budget;
    task.seed = seed;
    const SearchReport report = RunSearch(*strategy, *device, task, 10, setup.context(), nullptr, "");
    ASSERT_TRUE(report.answer.found) << "seed " << seed;
    const Arch& answer = report.answer.chosen.arch;
    EXPECT_TRUE(sampled.count(numbering.IndexOf(answer)) > 0) << answer.ToString() << " is not in the sample";
    for (const ProbeRecord& r : report.trajectory) {
      EXPECT_TRUE(sampled.count(numbering.IndexOf(r.arch)) > 0) << r.arch.ToString() << " probed outside the sample";
    }
    if (!report.answer.feasible || MadeUpLatency("alpha", answer) > budget) ++violations;
  }
  EXPECT_EQ(violations, 0);
}

TEST_F(ToySpace, EveryStrategyThatAppliesAnswersWithinTheBudget) {
  const CandidateSet& numbering = data_->Numbering();
  const ScoreTable scores = MadeUpScores(numbering);
  // A made-up accuracy for the report-only oracle.
  std::vector<double> accuracy;
  for (int i = 0; i < kToySize; ++i) accuracy.push_back(50 + scores(i));
  std::unique_ptr<Device> target = OpenDevice("table:gamma", Devices());
  const std::vector<const LatencyTable*> train = TrainTablesFor(*data_, *target);
  ASSERT_EQ(train.size(), 3u);
  const SearchSetup setup(numbering, *target, scores, train, &accuracy);
  const double budget = 14.0;
  int ran = 0;
  for (const std::string& name : StrategyNames()) {
    // The controllers read a model trained for a built-in space; every other strategy applies.
    if (name.rfind("controller", 0) == 0) continue;
    SCOPED_TRACE(name);
    std::unique_ptr<Strategy> strategy = MakeStrategy(name, StrategyResources{}, Toy());
    SearchTask task;
    task.latency_budget_ms = budget;
    task.seed = 1;
    const SearchReport report = RunSearch(*strategy, *target, task, 12, setup.context(), nullptr, "");
    ASSERT_TRUE(report.answer.found);
    EXPECT_TRUE(report.answer.feasible);
    EXPECT_LE(report.answer.chosen.measurement.latency_ms, budget);
    EXPECT_LE(report.probes_used, 12);
    EXPECT_GE(numbering.IndexOf(report.answer.chosen.arch), 0);
    ++ran;
  }
  EXPECT_GE(ran, 8);
}

TEST_F(ToySpace, LinearLatencyModelAndAdaProxyFitTheMadeUpDevices) {
  const CandidateSet& numbering = data_->Numbering();
  EXPECT_EQ(Toy().EncodingNames(), (std::vector<std::string>{"onehot"}));
  EXPECT_EQ(Toy().FeatureCount("onehot"), 1 + kToyPositions * (kToyChoices - 1));
  // The made-up latencies are linear in the one-hot features: the model reproduces them.
  const LatencyTable& alpha = data_->DeviceTable("alpha");
  const LinearLatencyModel model = FitLinearLatencyModel(alpha, numbering, "onehot");
  const std::vector<double> predicted = model.PredictAll(EncodeCandidates(numbering, "onehot"));
  for (int i = 0; i < kToySize; ++i) EXPECT_NEAR(predicted[static_cast<std::size_t>(i)], alpha.At(i), 1e-9);
  // AdaProxy from alpha to the test device ranks better than alpha's own model does.
  const AdaProxyTransfer t = EvaluateAdaProxyTransfer(alpha, data_->DeviceTable("gamma"), numbering, "onehot",
                                                      20, 10, 7);
  EXPECT_GT(t.srcc_after_mean, t.srcc_before + 0.05);
  EXPECT_GT(t.srcc_after_mean, 0.95);
}

TEST_F(ToySpace, MonotonicityMatrixAndTheProxyDevice) {
  std::vector<std::string> names = data_->DeviceNames();
  std::vector<std::vector<double>> latencies;
  std::vector<const LatencyTable*> train;
  for (const std::string& n : names) latencies.push_back(data_->DeviceTable(n).values());
  for (const std::string& n : data_->TrainDevices()) train.push_back(&data_->DeviceTable(n));
  const SrccMatrix m = ComputeSrccMatrix(names, latencies);
  EXPECT_EQ(m.cells, kToySize);
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_DOUBLE_EQ(m.At(i, i), 1.0);
    for (std::size_t j = 0; j < names.size(); ++j) EXPECT_DOUBLE_EQ(m.At(i, j), m.At(j, i));
  }
  // delta lies between alpha and beta: the best mean SRCC to the other train devices.
  EXPECT_EQ(train[ChooseProxyDevice(train)]->name(), "delta");
  EXPECT_GT(m.At(1, 3), m.At(0, 3));  // the test device ranks like beta more than like alpha
}

TEST_F(ToySpace, BenchGroupsDefaultToTheSpacesDatasetAndNameTheSpacesDatasetsWhenRefused) {
  const BenchConfig config = ParseBenchConfig(
      R"({"groups": [{"name": "a", "space": "toy", "kind": "percentile", "devices": ["test"]},
                     {"name": "b", "kind": "percentile", "devices": ["test"]}]})",
      "test config");
  ASSERT_EQ(config.groups.size(), 2u);
  EXPECT_EQ(config.groups[0].datasets, std::vector<Dataset>{Dataset::kCifar10});  // the toy's only dataset
  EXPECT_EQ(config.groups[1].datasets, std::vector<Dataset>{Dataset::kCifar100});
  EXPECT_EQ(DefaultBenchDatasets(Toy()), std::vector<Dataset>{Dataset::kCifar10});
  // A space whose networks are built for CIFAR-100 keeps HELP's task.
  EXPECT_EQ(DefaultBenchDatasets(DefaultSpace()), std::vector<Dataset>{Dataset::kCifar100});
  const std::string m = MessageOf<DataError>([] {
    ParseBenchConfig(R"({"groups": [{"name": "a", "space": "toy", "kind": "percentile", "devices": ["test"],
                                     "datasets": ["cifar100"]}]})",
                     "test config");
  });
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m.find("space toy has no dataset cifar100 (its datasets: cifar10)"), std::string::npos) << m;
  // "test" is the space's test devices, its own ones included.
  EXPECT_EQ(data_->AllDeviceNames(), (std::vector<std::string>{"alpha", "beta", "delta", "gamma", "half"}));
  EXPECT_EQ(data_->AllTestDevices(), (std::vector<std::string>{"gamma", "half"}));
  EXPECT_EQ(ExpandDevices(config.groups[0], *data_), (std::vector<std::string>{"table:gamma", "table:half"}));
  // "train" is its train tables.
  std::vector<std::string> train;
  for (const DeviceSpec& spec : ExpandDeviceGroup("train", *data_)) train.push_back(spec.ToString());
  EXPECT_EQ(train, (std::vector<std::string>{"table:alpha", "table:beta", "table:delta"}));
}

TEST_F(ToySpace, BenchOnADeviceAnsweringSomeArchitecturesSearchesAndScoresThoseOnly) {
  const CandidateSet& numbering = data_->Numbering();
  std::unique_ptr<Device> half = OpenDevice("table:half", Devices());
  ASSERT_NE(half->ReplayedTable(), nullptr);
  EXPECT_EQ(half->FullTable(), nullptr);
  EXPECT_EQ(half->ReplayedTable()->CountKnown(), kHalfAnswers);
  std::vector<double> answered_ms;
  for (const Arch& a : numbering.archs()) {
    if (a.choice(0) != 2) answered_ms.push_back(MadeUpLatency("gamma", a) + 0.5);
  }

  const BenchConfig config = ParseBenchConfig(
      R"({"name": "toy", "seeds": 4, "groups": [{"name": "toy", "space": "toy", "kind": "percentile",
          "devices": ["test"], "percentiles": [25, 75], "probes": [8], "strategies": ["default", "random"]}]})",
      "test config");
  BenchSpaces spaces;
  spaces.data = [this](const Space&) -> const SpaceData& { return *data_; };
  spaces.devices = [this](const Space&) { return Devices(); };
  spaces.strategies = [](const Space&) { return StrategyResources{}; };
  spaces.scores = [this](const Space&, Dataset, const std::string&) { return MadeUpScores(data_->Numbering()); };
  BenchOptions options;
  options.out_dir = tmp_ / "bench";
  BenchRunner runner(config, spaces, nullptr, options);
  runner.Run();
  const std::vector<RunRecord> rows = runner.LoadRows();
  ASSERT_EQ(rows.size(), 2u * 2 * 2 * 4);  // devices x budgets x strategies x seeds
  EXPECT_NE(runner.ground_truth_sources().at("table:half").find("54 of the 81"), std::string::npos)
      << runner.ground_truth_sources().at("table:half");
  int half_rows = 0, default_violations = 0;
  for (const RunRecord& r : rows) {
    SCOPED_TRACE(r.key);
    ASSERT_FALSE(r.error) << *r.error;
    ASSERT_TRUE(r.score && r.answer);
    EXPECT_TRUE(r.ground_truth_complete);  // the ground truth knows every candidate
    EXPECT_EQ(r.dataset, "cifar10");
    if (r.device != "table:half") {
      EXPECT_EQ(r.score->candidates, kToySize);
      continue;
    }
    ++half_rows;
    // Budgets are percentiles of the latencies of the architectures the device answers.
    EXPECT_EQ(r.score->candidates, kHalfAnswers);
    EXPECT_DOUBLE_EQ(*r.budget_ms, Percentile(answered_ms, r.budget_label == "p25" ? 25 : 75));
    // Every probe and the answer are among them, numbered in the space's numbering.
    for (int i : r.trajectory) {
      ASSERT_GE(i, 0);
      EXPECT_NE(numbering.at(i).choice(0), 2) << numbering.at(i).ToString();
    }
    const Arch answer = Toy().Parse(r.answer->arch);
    EXPECT_EQ(numbering.IndexOf(answer), r.answer->index);
    EXPECT_DOUBLE_EQ(r.answer->true_latency_ms, MadeUpLatency("gamma", answer) + 0.5);
    EXPECT_EQ(numbering.at(r.score->best_index).choice(0) == 2, false);
    if (r.strategy == "default" && (!r.feasible || !r.true_feasible)) ++default_violations;
  }
  EXPECT_EQ(half_rows, 2 * 2 * 4);
  EXPECT_EQ(default_violations, 0);
}

TEST_F(ToySpace, MonotonicityPairsDevicesOverTheArchitecturesBothAnswer) {
  const CandidateSet& numbering = data_->Numbering();
  std::unique_ptr<Device> half = OpenDevice("half", Devices());
  const std::vector<double>& half_ms = half->ReplayedTable()->values();
  const std::vector<std::string> names = {"alpha", "beta", "half"};
  const SrccMatrix m =
      ComputeSrccMatrix(names, {data_->DeviceTable("alpha").values(), data_->DeviceTable("beta").values(), half_ms});
  EXPECT_FALSE(m.complete());
  EXPECT_EQ(m.total, kToySize);
  EXPECT_EQ(m.cells, kHalfAnswers);
  EXPECT_EQ(m.answered, (std::vector<int>{kToySize, kToySize, kHalfAnswers}));
  EXPECT_EQ(m.pair_cells[0][1], kToySize);
  EXPECT_EQ(m.pair_cells[0][2], kHalfAnswers);
  EXPECT_EQ(m.pair_cells[2][1], kHalfAnswers);
  // A pair with the partial device: Spearman over the architectures it answers.
  std::vector<double> a, h;
  for (int i = 0; i < kToySize; ++i) {
    if (numbering.at(i).choice(0) == 2) continue;
    a.push_back(MadeUpLatency("alpha", numbering.at(i)));
    h.push_back(MadeUpLatency("gamma", numbering.at(i)) + 0.5);
  }
  EXPECT_NEAR(m.At(0, 2), Spearman(a, h), 1e-12);
  EXPECT_NEAR(m.At(2, 0), m.At(0, 2), 0);
  // Complete devices keep the whole-table SRCC.
  EXPECT_NEAR(m.At(0, 1), Spearman(data_->DeviceTable("alpha").values(), data_->DeviceTable("beta").values()), 1e-12);
  const SrccMatrix whole =
      ComputeSrccMatrix({"alpha", "beta"}, {data_->DeviceTable("alpha").values(), data_->DeviceTable("beta").values()});
  EXPECT_TRUE(whole.complete());
  EXPECT_EQ(whole.cells, kToySize);
  EXPECT_EQ(whole.At(0, 1), m.At(0, 1));
  // Fewer than 3 architectures in common: one line naming the pair.
  std::vector<double> two(kToySize, std::nan(""));
  two[0] = 1;
  two[1] = 2;
  const std::string msg = MessageOf<Error>([&] { ComputeSrccMatrix({"alpha", "two"}, {data_->DeviceTable("alpha").values(), two}); });
  EXPECT_NE(msg.find("alpha and two both answer 2"), std::string::npos) << msg;
}

// The edit walk over the toy space (every combination of its choices is a candidate): the walk's
// tables follow the toy's own numbering and its prior is the train devices' mean relative latency
// (exact here: the made-up latencies are linear in the one-hot encoding); a walk probes distinct
// architectures and its answer is the best measured within the budget; a few steps of training give
// a model the controller strategy searches with; a sample of the candidates, or a model of
// another shape, is refused in one line.
TEST_F(ToySpace, TheEditWalkTrainsAndSearchesOverEveryCombinationOfChoices) {
  const CandidateSet& numbering = data_->Numbering();
  const ScoreTable scores = MadeUpScores(numbering);
  const TrainingInputs in = PrepareTrainingInputs(*data_, scores, {});
  const WalkTables& t = in.tables;
  EXPECT_EQ(in.devices, (std::vector<std::string>{"alpha", "beta", "delta"}));
  ASSERT_EQ(t.size, kToySize);
  EXPECT_EQ(t.num_actions(), kToyPositions * kToyChoices);
  std::vector<double> mean(3, 0.0);
  for (int i = 0; i < kToySize; ++i) {
    for (std::size_t d = 0; d < 3; ++d) mean[d] += MadeUpLatency(in.devices[d], numbering.at(i)) / kToySize;
  }
  for (int code = 0; code < kToySize; ++code) {
    const Arch& a = t.ArchOf(code);
    EXPECT_EQ(t.CodeOf(a), code);
    int expected_code = 0;
    for (int p = kToyPositions - 1; p >= 0; --p) expected_code = expected_code * kToyChoices + a.choice(p);
    EXPECT_EQ(expected_code, code) << a.ToString();  // position 0 the least significant digit
    double relative = 0;
    for (std::size_t d = 0; d < 3; ++d) relative += MadeUpLatency(in.devices[d], a) / mean[d] / 3;
    EXPECT_NEAR(t.log_prior[static_cast<std::size_t>(code)], std::log(relative), 1e-5) << a.ToString();
  }
  EXPECT_EQ(t.ArchOf(t.by_proxy.front()).ToString(), "c-c-c-c");  // the best made-up score

  // A walk of a policy that knows nothing (every allowed action equally likely) on the test device.
  struct GammaOracle : LatencyOracle {
    std::vector<Arch> probed;
    double Probe(const Arch& arch) override {
      probed.push_back(arch);
      return MadeUpLatency("gamma", arch);
    }
  };
  ControllerModel uniform;
  DenseLayer layer;
  layer.out = t.num_actions();
  layer.in = ObservationSize(uniform.env, layer.out);
  layer.weight.assign(static_cast<std::size_t>(layer.in * layer.out), 0.0f);
  layer.bias.assign(static_cast<std::size_t>(layer.out), 0.0f);
  uniform.layers = {layer};
  const double budget = 14.0;
  RunOptions options;
  options.budget_ms = budget;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    options.seed = seed;
    GammaOracle oracle;
    const Episode e = RunController(uniform, t, oracle, options);
    EXPECT_EQ(e.probes_used(), static_cast<int>(oracle.probed.size()));
    EXPECT_LE(e.probes_used(), options.probe_budget);
    EXPECT_EQ(std::set<Arch>(oracle.probed.begin(), oracle.probed.end()).size(), oracle.probed.size());
    // The answer: the best score among the probes within the budget.
    double best = -1;
    for (const Arch& a : oracle.probed) {
      if (MadeUpLatency("gamma", a) <= budget) best = std::max(best, scores.Normalized(numbering.IndexOf(a)));
    }
    ASSERT_EQ(e.best_code() >= 0, best >= 0);
    if (best >= 0) {
      EXPECT_NEAR(e.best_score(), best, 1e-6);
    }
  }

  // A few PPO steps on the toy's synthetic devices, then a search with the model.
  TrainOptions train;
  train.out = tmp_ / "walk";
  train.ppo.total_steps = 256;
  train.ppo.num_envs = 8;
  train.ppo.rollout = 16;
  train.ppo.minibatch = 64;
  train.ppo.hidden = 16;
  train.progress = false;
  train.plot = false;
  const TrainResult r = TrainController(train, t, in.distribution);
  EXPECT_GE(r.steps, 256);
  const ControllerModel model = LoadControllerModel(r.model);
  EXPECT_EQ(model.num_actions(), t.num_actions());
  std::unique_ptr<Device> target = OpenDevice("table:gamma", Devices());
  const SearchSetup setup(numbering, *target, scores, TrainTablesFor(*data_, *target));
  ControllerStrategy walk(r.model, "");
  const SearchReport report = RunSearch(walk, *target, SearchTask{budget, 3}, 10, setup.context(), nullptr, "");
  ASSERT_TRUE(report.answer.feasible);
  EXPECT_LE(report.answer.chosen.measurement.latency_ms, budget);
  EXPECT_LE(report.probes_used, 10);

  // A sample of the space's candidates, and a model whose actions are another space's.
  const std::string refused = MessageOf<ParseError>(
      [&] { WalkTables::Build(numbering.Subset({0, 1, 2, 40}, "four toys"), scores, {&data_->DeviceTable("alpha")}); });
  EXPECT_NE(refused.find("every combination of the toy space's choices"), std::string::npos) << refused;
  EXPECT_NE(refused.find("four toys holds 4"), std::string::npos) << refused;
  EXPECT_EQ(refused.find('\n'), std::string::npos) << refused;
  ControllerModel other = uniform;
  other.layers[0].out = 30;
  other.layers[0].in = ObservationSize(other.env, 30);
  other.layers[0].weight.assign(static_cast<std::size_t>(other.layers[0].in * 30), 0.0f);
  other.layers[0].bias.assign(30, 0.0f);
  GammaOracle oracle;
  const std::string shape = MessageOf<DataError>([&] { RunController(other, t, oracle, options); });
  EXPECT_NE(shape.find("30 actions; the edit walk over the toy space has 12"), std::string::npos) << shape;
  EXPECT_EQ(shape.find('\n'), std::string::npos) << shape;
}

}  // namespace
}  // namespace simnas
