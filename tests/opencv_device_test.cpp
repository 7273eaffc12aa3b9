// `opencv`: the exported cell timed in OpenCV DNN by the shared timing harness (whose noise
// control is tested deterministically in timing_harness_test.cpp).
#include "simnas/devices/opencv_device.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "simnas/bench/bench_config.h"
#include "simnas/core/error.h"
#include "simnas/devices/device_factory.h"
#include "test_support.h"

namespace simnas {
namespace {

Cell Uniform(Op op) {
  std::array<Op, kNumEdges> ops;
  ops.fill(op);
  return Cell(ops);
}

TEST(OpenCvDevice, SpecAndFingerprintNameRuntimeVersionAndOptions) {
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), std::nullopt);
  auto device = OpenDevice("opencv:threads=2,batch=4,input=16", env);
  EXPECT_TRUE(device->IsLive());
  EXPECT_EQ(device->Spec(), "opencv:threads=2,batch=4,input=16");
  const std::string f = device->Fingerprint();
  for (const char* part : {"opencv|", "OpenCV 4.", "threads=2", "batch=4", "input=16", "classes=10"}) {
    EXPECT_NE(f.find(part), std::string::npos) << part << " not in " << f;
  }
  EXPECT_NE(OpenDevice("opencv", env)->Fingerprint(), OpenDevice("local", env)->Fingerprint());
  try {
    OpenDevice("opencv:thread=1", env);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("opencv device option"), std::string::npos) << e.what();
  }
}

// The benchmark group `opencv` (run later on a quiet machine): budgets at p25/50/75, >= 9 runs
// per strategy, on a device spec that opens the OpenCV device.
TEST(OpenCvDevice, BenchmarkConfigHasAnOpenCvGroup) {
  const BenchConfig config = LoadBenchConfig(testing::RepoFile("configs/bench-opencv.json"));
  ASSERT_EQ(config.groups.size(), 1u);
  const BenchGroup& g = config.groups[0];
  EXPECT_EQ(g.name, "opencv");
  EXPECT_EQ(g.percentiles, (std::vector<double>{25, 50, 75}));
  EXPECT_GE(g.percentiles.size() * static_cast<std::size_t>(g.seeds > 0 ? g.seeds : config.seeds), 9u);
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), std::nullopt);
  for (const std::string& spec : ExpandDevices(g, testing::Data().space_data())) {
    EXPECT_NE(dynamic_cast<OpenCvDevice*>(OpenDevice(spec, env).get()), nullptr) << spec;
  }
}

// Live: a 13x larger network measures slower, or the device refuses in one clear line within a
// bounded time (never a misordered pair); the exported models go to the test's folder. A
// refusal is allowed: on this host the small reference network was seen to run 2x slower for
// minutes right after the large one (a fresh-clone CI run), which the device must report, not
// hide. The window (15 s) is shorter than the wait (30 s), so a lasting change is followed.
TEST(OpenCvDeviceSerial, LargerCellsMeasureSlowerOrAreRefusedClearly) {
  testing::TempDir dir;
  LocalOptions o;
  o.cache_dir = dir.path();
  o.remember_reference = false;
  o.timing.tolerance = 0.1;
  o.timing.max_wait_s = 30;
  o.timing.reference_window_s = 15;
  OpenCvDevice device(o);
  try {
    const Measurement small = device.Measure(ToArch(Uniform(Op::kNone)));
    const Measurement large = device.Measure(ToArch(Uniform(Op::kConv3x3)));
    RecordProperty("small_ms", std::to_string(small.latency_ms));
    RecordProperty("large_ms", std::to_string(large.latency_ms));
    EXPECT_LT(small.latency_ms, large.latency_ms);
  } catch (const DeviceError& e) {
    const std::string message = e.what();
    RecordProperty("refused", message);
    EXPECT_NE(message.find(device.Spec()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "onnx"));
}

}  // namespace
}  // namespace simnas
