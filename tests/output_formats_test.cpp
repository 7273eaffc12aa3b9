// The summaries of the timing tools users already run, read from recorded sample outputs
// (tests/fixtures/tool_outputs, written from the tools' documented formats), directly and
// through `simnas measure --device "cmd:PROG {onnx}"`.
#include "simnas/devices/output_formats.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>
#include <onnx/checker.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/device_factory.h"
#include "test_support.h"

namespace simnas {
namespace {

const std::filesystem::path kSamples = std::filesystem::path(SIMNAS_TEST_DIR) / "fixtures" / "tool_outputs";

struct Sample {
  const char* file;
  OutputFormat format;
  double latency_ms;
  int repeats;
};

// Median where the tool prints one, else the mean; units converted to ms.
const Sample kSamplesExpected[] = {
    {"trtexec.txt", OutputFormat::kTrtexec, 9.76404, 1},                     // median of "Latency:", not GPU Compute
    {"benchmark_app.txt", OutputFormat::kBenchmarkApp, 20.64, 2736},         // Median
    {"benchmark_app_2021.txt", OutputFormat::kBenchmarkApp, 38.91, 1520},    // older one-line latency
    {"benchmark_model.txt", OutputFormat::kTfliteBenchmarkModel, 249.684, 50},  // Inference (avg), us
    {"onnxruntime_perf_test.txt", OutputFormat::kOrtPerfTest, 60.4, 100},    // P50, s
    {"onnxruntime_perf_test_old.txt", OutputFormat::kOrtPerfTest, 62.2935, 50},  // Average, ms
};

TEST(OutputFormats, RecordedToolOutputsParseWithTheirFormatAndWithAuto) {
  for (const Sample& s : kSamplesExpected) {
    const std::string text = ReadFile(kSamples / s.file);
    for (OutputFormat f : {s.format, OutputFormat::kAuto}) {
      const Measurement m = ParseDeviceOutput(text, f);
      EXPECT_NEAR(m.latency_ms, s.latency_ms, 1e-9 * s.latency_ms) << s.file << " as " << OutputFormatName(f);
      EXPECT_EQ(m.repeats, s.repeats) << s.file;
    }
  }
}

TEST(OutputFormats, MeanWhenNoMedianIsPrinted) {
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("[I] Latency: min = 1 ms, max = 3 ms, mean = 2.5 ms\n", OutputFormat::kTrtexec)
                       .latency_ms,
                   2.5);
  EXPECT_DOUBLE_EQ(
      ParseDeviceOutput("[ INFO ] Latency:\n[ INFO ]    Average:  4.5 ms\n[ INFO ]    Min: 4 ms\n", OutputFormat::kAuto)
          .latency_ms,
      4.5);
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("count=20 first=1200 curr=1000 min=900 max=1200 avg=1000.5 std=12\n",
                                     OutputFormat::kTfliteBenchmarkModel)
                       .latency_ms,
                   1.0005);
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("Average inference time cost: 1500 us\n", OutputFormat::kOrtPerfTest).latency_ms,
                   1.5);
}

TEST(OutputFormats, PlainAndJsonStillWork) {
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("warming up\n3.5 ms\n", OutputFormat::kAuto).latency_ms, 3.5);
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("{\"latency_ms\": 7.25}", OutputFormat::kJson).latency_ms, 7.25);
  EXPECT_THROW(ParseDeviceOutput("7.25", OutputFormat::kJson), DeviceError);
  EXPECT_DOUBLE_EQ(ParseDeviceOutput("7.25", OutputFormat::kPlain).latency_ms, 7.25);
}

TEST(OutputFormats, UnreadableOutputIsRefusedQuotingTheFirstLine) {
  const std::string garbage = "Segmentation fault (core dumped)\nsomething else\n";
  try {
    ParseDeviceOutput(garbage, OutputFormat::kAuto);
    FAIL();
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'Segmentation fault (core dumped)'"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  // A tool's output read as another tool's is refused, not misread.
  const std::string trtexec = ReadFile(kSamples / "trtexec.txt");
  try {
    ParseDeviceOutput(trtexec, OutputFormat::kBenchmarkApp);
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("'&&&& RUNNING TensorRT.trtexec"), std::string::npos) << e.what();
  }
  // GPU Compute Time and H2D Latency alone are not the latency.
  EXPECT_THROW(ParseDeviceOutput("[I] GPU Compute Time: min = 1 ms, max = 2 ms, mean = 1.5 ms, median = 1.4 ms\n"
                                 "[I] H2D Latency: min = 1 ms, max = 2 ms, mean = 1.5 ms, median = 1.4 ms\n",
                                 OutputFormat::kTrtexec),
               DeviceError);
  EXPECT_THROW(ParseDeviceOutput("[ INFO ] Latency:\n[ INFO ]    Median:  -3 ms\n", OutputFormat::kAuto), DeviceError);
  EXPECT_THROW(ParseOutputFormat("tensorrt"), ParseError);
}

// XDG_CACHE_HOME pointed into a test folder for the scope: a simnas the test starts keeps its
// {onnx} cache there.
class CacheHome {
 public:
  explicit CacheHome(const std::filesystem::path& dir) {
    if (const char* old = std::getenv("XDG_CACHE_HOME")) saved_ = old;
    ::setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  }
  ~CacheHome() {
    if (saved_) ::setenv("XDG_CACHE_HOME", saved_->c_str(), 1);
    else ::unsetenv("XDG_CACHE_HOME");
  }

 private:
  std::optional<std::string> saved_;
};

// A fake tool: refuses to run without a readable ONNX model as its argument, then prints a
// recorded summary.
std::filesystem::path FakeTool(const testing::TempDir& dir, const std::string& sample) {
  return testing::WriteScript(dir / ("tool-" + sample + ".sh"),
                              "[ -s \"$1\" ] || { echo \"no model at $1\" >&2; exit 3; }\n"
                              "case \"$1\" in *.onnx) ;; *) exit 4;; esac\n"
                              "cat '" + (kSamples / sample).string() + "'");
}

TEST(OutputFormats, MeasureWithACmdDeviceReadsEachToolThroughOnnx) {
  testing::TempDir dir;
  CacheHome cache(dir / "cache");
  for (const Sample& s : kSamplesExpected) {
    const auto tool = FakeTool(dir, s.file);
    const auto r = testing::RunCli({"--store", (dir / "probes.sqlite").string(), "measure", "--device",
                                    "cmd:'" + tool.string() + "' {onnx}", "--index", "123", "--json"});
    ASSERT_EQ(r.exit_code, 0) << s.file << ": " << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["latency_ms"].get<double>(), s.latency_ms, 1e-9 * s.latency_ms) << s.file;
  }
  // The model was exported once into the cache and is a valid ONNX file (beside it, its check).
  int models = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "cache" / "simnas" / "onnx")) {
    if (e.path().extension() != ".onnx") continue;
    EXPECT_NO_THROW(onnx::checker::check_model(e.path().string()));
    EXPECT_TRUE(std::filesystem::exists(e.path().string() + ".check")) << e.path();
    ++models;
  }
  EXPECT_EQ(models, 1);
  // Output in no known format: one line naming the device and quoting the first line, exit != 0.
  const auto bad = testing::WriteScript(dir / "bad.sh", "echo 'Illegal instruction'; echo 'core dumped'");
  const auto r = testing::RunCli({"--store", (dir / "probes.sqlite").string(), "measure", "--device",
                                  "cmd:'" + bad.string() + "' {onnx}", "--index", "123"});
  EXPECT_NE(r.exit_code, 0);
  // (Retries are announced as warnings before it.)
  const auto at = r.err.find("simnas: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string error = r.err.substr(at);
  EXPECT_EQ(testing::CountLines(error), 1) << error;
  EXPECT_NE(error.find("device cmd:"), std::string::npos) << error;
  EXPECT_NE(error.find("'Illegal instruction'"), std::string::npos) << error;
}

TEST(OutputFormats, SummaryOnStderrIsReadForTools) {
  testing::TempDir dir;
  const auto tool = testing::WriteScript(dir / "tflite.sh",
                                         "cat '" + (kSamples / "benchmark_model.txt").string() + "' >&2; echo \"$1\"");
  CommandDevice device("'" + tool.string() + "' {arch}", testing::Data().space());
  EXPECT_NEAR(device.Measure(ToArch(Cell())).latency_ms, 249.684, 1e-9);
}

TEST(DeviceRegistry, EntriesSetTheOutputFormatAndExportOptions) {
  testing::TempDir dir;
  CacheHome cache(dir / "cache");
  // Prints a plain number too: with format trtexec only the trtexec summary may be read.
  const auto tool = testing::WriteScript(
      dir / "trt.sh", "[ -s \"$1\" ] || exit 3\ncat '" + (kSamples / "trtexec.txt").string() + "'\necho 1.0");
  std::ofstream(dir / "devices.json") << R"({"devices": {"jetson": {"spec": "cmd:')" << tool.string()
                                      << R"(' {onnx}", "format": "trtexec", "retries": 0,
                                           "export": {"dataset": "cifar100", "batch": 2}}}})";
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), dir / "devices.json", dir / "cache" / "simnas");
  auto device = OpenDevice("jetson", env);
  EXPECT_NE(device->Fingerprint().find("classes=100,input=32,batch=2"), std::string::npos) << device->Fingerprint();
  EXPECT_DOUBLE_EQ(device->Measure(ToArch(Cell())).latency_ms, 9.76404);
  const auto model = dir / "cache" / "simnas" / "onnx" / ArchOnnxFileName(ToArch(Cell()), {100, 32, 2, 0});
  ASSERT_TRUE(std::filesystem::exists(model));
  // Bad entries name the file and the device.
  std::ofstream(dir / "bad.json") << R"({"devices": {"x": {"spec": "cmd:t {onnx}", "format": "tensorrt"}}})";
  try {
    LoadDeviceRegistry(dir / "bad.json");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("device 'x'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tensorrt"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "bad2.json") << R"({"devices": {"x": {"spec": "cmd:t {onnx}", "export": {"batch": 0}}}})";
  EXPECT_THROW(LoadDeviceRegistry(dir / "bad2.json"), DataError);
}

}  // namespace
}  // namespace simnas
