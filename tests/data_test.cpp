// Benchmark data: tables load exactly as published; anything malformed is rejected with one
// line naming the file and the first bad entry.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "nb201_benchmark_data.h"
#include "simnas/data/cifar.h"
#include "simnas/data/fetch.h"
#include "simnas/spaces/nb201/help_answers.h"
#include "simnas/space/data_manifest.h"
#include "simnas/data/latency_table.h"
#include "simnas/data/pickle.h"
#include "simnas/devices/device_spec.h"
#include "simnas/devices/table_device.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

void WritePickle(const fs::path& path, const c10::IValue& value) {
  const std::vector<char> bytes = torch::pickle_save(value);
  WriteFileAtomically(path, std::string_view(bytes.data(), bytes.size()));
}

c10::impl::GenericList NumberList(int n, double value) {
  c10::impl::GenericList list(c10::AnyType::get());
  for (int i = 0; i < n; ++i) list.push_back(value);
  return list;
}

void ExpectDataError(const std::function<void()>& load, const std::string& must_mention) {
  try {
    load();
    FAIL() << "accepted bad data; expected an error mentioning " << must_mention;
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(must_mention), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Data, TableDevicesReturnTheTableValuesExactly) {
  const auto& data = testing::Data();
  for (const std::string& name : data.DeviceNames()) {
    const LatencyTable& table = data.DeviceTable(name);
    const std::vector<double> raw = LoadPickledNumberList(data.dir().HelpLatencyFile(name));
    TableDevice device(DeviceSpec::Table(name).ToString(), table, data.space());
    for (int index = 0; index < kNumCells; ++index) {
      ASSERT_EQ(device.Measure(ToArch(data.space().CellAt(index))).latency_ms, raw[static_cast<std::size_t>(index)]) << name;
    }
  }
}

TEST(Data, TwentyThreeTablesAndTheFixedSplit) {
  const auto& data = testing::Data();
  EXPECT_EQ(data.DeviceNames().size(), 23u);
  EXPECT_EQ(data.TestDevices().size(), 6u);
  EXPECT_EQ(data.TrainDevices().size(), 17u);
  for (const std::string& d : data.TrainDevices()) EXPECT_FALSE(data.space_data().space().IsTestDevice(d)) << d;
}

TEST(Data, AccuracyTablesMatchTheReadmeBestCells) {
  const auto& data = testing::Data();
  const auto best = [&](Dataset d) {
    const auto& acc = data.Accuracy(d).test_accuracy;
    return std::max_element(acc.begin(), acc.end()) - acc.begin();
  };
  EXPECT_EQ(best(Dataset::kCifar10), 6111);
  EXPECT_EQ(best(Dataset::kCifar100), 9930);
  EXPECT_EQ(best(Dataset::kImageNet16_120), 3888);
}

TEST(Data, CifarSampleHas640LabelledImages) {
  const ImageSet images = LoadCifarImages(testing::Data().dir().CifarSampleFile());
  EXPECT_EQ(images.count, 640);
  EXPECT_EQ(images.pixels.size(), 640u * 3072u);
}

TEST(Data, HelpAnswersAreFifteenCells) {
  const std::vector<HelpAnswer> answers = LoadHelpAnswers(testing::Data().dir());
  EXPECT_EQ(answers.size(), 15u);
  EXPECT_EQ(answers.front().device, "eyeriss");
}

TEST(Data, VerifyPassesOnTheFetchedData) {
  for (const VerifyEntry& e : VerifyData(testing::Data().dir(), DataManifest())) {
    EXPECT_TRUE(e.problem.empty()) << e.path << ": " << e.problem;
  }
}

TEST(DataErrors, TruncatedTorchFile) {
  testing::TempDir dir;
  const std::vector<char> good = ReadFileBytes(testing::Data().dir().HelpLatencyFile("fpga"));
  WriteFileAtomically(dir / "fpga.pt", std::string_view(good.data(), good.size() / 2));
  ExpectDataError([&] { LoadLatencyTable(dir / "fpga.pt"); }, "fpga.pt: not a readable torch.save file");
}

TEST(DataErrors, WrongNumberOfLatencies) {
  testing::TempDir dir;
  WritePickle(dir / "short.pt", NumberList(15624, 1.0));
  ExpectDataError([&] { LoadLatencyTable(dir / "short.pt"); }, "expected 15625 latencies, found 15624");
}

TEST(DataErrors, NonPositiveAndNonFiniteLatencies) {
  testing::TempDir dir;
  auto list = NumberList(15625, 1.0);
  list.set(17, -2.0);
  WritePickle(dir / "neg.pt", list);
  ExpectDataError([&] { LoadLatencyTable(dir / "neg.pt"); }, "latency of architecture 17 is -2");
  list.set(17, 1.0);
  list.set(9000, std::nan(""));
  WritePickle(dir / "nan.pt", list);
  ExpectDataError([&] { LoadLatencyTable(dir / "nan.pt"); }, "latency of architecture 9000 is nan");
}

TEST(DataErrors, NonNumberEntry) {
  testing::TempDir dir;
  auto list = NumberList(15625, 1.0);
  list.set(3, std::string("fast"));
  WritePickle(dir / "str.pt", list);
  ExpectDataError([&] { LoadLatencyTable(dir / "str.pt"); }, "entry 3 is a string, not a number");
}

TEST(DataErrors, ArchIndexWithDuplicateIndex) {
  testing::TempDir dir;
  c10::impl::GenericDict dict(c10::StringType::get(), c10::IntType::get());
  const SearchSpace& space = testing::Data().space();
  for (int i = 0; i < kNumCells; ++i) dict.insert(space.CellAt(i).ToString(), i == 5 ? 4 : i);
  WritePickle(dir / "idx.pt", dict);
  ExpectDataError([&] { LoadSearchSpace(dir / "idx.pt"); }, "index 4 appears twice");
}

TEST(DataErrors, AccuracyFileWithAMissingRowAndABadValue) {
  testing::TempDir dir;
  {
    std::ofstream out(dir / "acc.txt");
    out << "# header\n";
    for (int i = 0; i < kNumCells; ++i) {
      if (i != 123) out << i << " 50.0 1 2\n";
    }
  }
  ExpectDataError([&] { LoadAccuracyTable(dir / "acc.txt", Dataset::kCifar10); }, "architecture index 123 is missing");
  {
    std::ofstream out(dir / "acc2.txt");
    out << "0 fifty 1 2\n";
  }
  ExpectDataError([&] { LoadAccuracyTable(dir / "acc2.txt", Dataset::kCifar10); }, "acc2.txt:1: accuracy 'fifty'");
}

TEST(DataErrors, CifarFileOfTheWrongSize) {
  testing::TempDir dir;
  WriteFileAtomically(dir / "c.bin", std::string(3072, '\0'));
  ExpectDataError([&] { LoadCifarImages(dir / "c.bin"); }, "not a whole number of 3073-byte CIFAR-10 records");
}

TEST(DataErrors, CsvTableWithGarbageAndDuplicates) {
  testing::TempDir dir;
  WriteFileAtomically(dir / "t.csv", "index,ms\n3,1.5\n3,1.6\n");
  ExpectDataError([&] { LoadLatencyTable(dir / "t.csv"); }, "t.csv:3: architecture index 3 appears twice");
  WriteFileAtomically(dir / "u.csv", "index,ms\n3,fast\n");
  ExpectDataError([&] { LoadLatencyTable(dir / "u.csv"); }, "u.csv:2: latency 'fast'");
}

TEST(DataErrors, MissingFileNamesThePath) {
  ExpectDataError([] { LoadLatencyTable("/nonexistent/x.pt"); }, "/nonexistent/x.pt");
}

TEST(Data, PartialCsvTableAnswersOnlyItsCells) {
  testing::TempDir dir;
  const SearchSpace& space = testing::Data().space();
  SaveLatencyCsv(dir / "p.csv", {"test"}, {{5, 2.5, 0.01, 30, space.CellAt(5).ToString()}});
  const LatencyTable table = LoadLatencyTable(dir / "p.csv");
  EXPECT_EQ(table.CountKnown(), 1);
  EXPECT_FALSE(table.Complete());
  TableDevice device("table:p.csv", table, space);
  EXPECT_EQ(device.Measure(ToArch(space.CellAt(5))).latency_ms, 2.5);
  EXPECT_THROW(device.Measure(ToArch(space.CellAt(6))), DeviceError);
  EXPECT_EQ(device.FullTable(), nullptr);
}

}  // namespace
}  // namespace simnas
