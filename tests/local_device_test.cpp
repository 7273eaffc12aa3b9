// `local` on this machine's CPU. The noise control itself is tested deterministically with a
// fake clock (timing_harness_test.cpp); the live tests here (suite *Serial, CTest label `live`,
// run alone) keep only assertions that hold on a noisy machine, and write nothing outside
// their own folders (the quiet speed is not remembered).
#include "simnas/devices/local_device.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "test_support.h"

namespace simnas {
namespace {

Cell Uniform(Op op) {
  std::array<Op, kNumEdges> ops;
  ops.fill(op);
  return Cell(ops);
}

// The quiet check compares with this process's own fastest reference run, not with a
// speed remembered from another time (a CI machine is not the developer's machine).
LocalOptions FreshReference() {
  LocalOptions o;
  o.remember_reference = false;
  o.timing.reference_window_s = 60;
  o.timing.max_wait_s = 60;
  return o;
}

TEST(LocalDeviceSerial, LargerCellsMeasureSlower) {
  // The three cells differ ~13x end to end: the order does not need the default 2% tolerance.
  // Within a factor 13, a busy machine is refused by the device rather than misordered.
  LocalOptions o = FreshReference();
  o.timing.tolerance = 0.1;
  LocalDevice device(o);
  const Cell small = Uniform(Op::kNone);
  const Cell mixed = Cell::Parse("|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_3x3~0|none~1|skip_connect~2|");
  const Cell large = Uniform(Op::kConv3x3);
  // A machine that stays busy may be refused: then the refusal must be one clear line naming
  // the device (seen once in a fresh-clone CI run while three builds loaded the machine).
  try {
    const double t_small = device.Measure(ToArch(small)).latency_ms;
    const double t_mixed = device.Measure(ToArch(mixed)).latency_ms;
    const double t_large = device.Measure(ToArch(large)).latency_ms;
    RecordProperty("small_ms", std::to_string(t_small));
    RecordProperty("mixed_ms", std::to_string(t_mixed));
    RecordProperty("large_ms", std::to_string(t_large));
    EXPECT_LT(t_small, t_mixed);
    EXPECT_LT(t_mixed, t_large);
  } catch (const DeviceError& e) {
    const std::string message = e.what();
    RecordProperty("refused", message);
    EXPECT_NE(message.find(device.Spec()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(LocalDevice, OptionsParseAndRejectBadKeys) {
  try {
    ParseLocalOptions("thread=2", "opencv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("opencv device option"), std::string::npos) << e.what();
  }
  const LocalOptions o =
      ParseLocalOptions("threads=2,batch=8,repeats=12,sample=5,tolerance=0.05,max_wait=30,quiet=0.3,on_cpu=0.8,"
                        "normalize=0");
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.batch, 8);
  EXPECT_EQ(o.timing.repeats, 12);
  EXPECT_DOUBLE_EQ(o.timing.sample_ms, 5);
  EXPECT_DOUBLE_EQ(o.timing.tolerance, 0.05);
  EXPECT_DOUBLE_EQ(o.timing.max_wait_s, 30);
  EXPECT_DOUBLE_EQ(o.timing.quiet_tolerance, 0.3);
  EXPECT_DOUBLE_EQ(o.timing.on_cpu, 0.8);
  EXPECT_FALSE(o.timing.normalize);
  // The removed keys name what replaced them.
  try {
    ParseLocalOptions("max_spread=0.1");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("tolerance="), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseLocalOptions("tries=3"), ParseError);
  EXPECT_THROW(ParseLocalOptions("on_cpu=1.5"), ParseError);
  EXPECT_THROW(ParseLocalOptions("repeats=3"), ParseError);  // too few samples for a 95% interval
  EXPECT_THROW(ParseLocalOptions("thread=2"), ParseError);
  EXPECT_THROW(ParseLocalOptions("batch=0"), ParseError);
  EXPECT_THROW(ParseLocalOptions("batch"), ParseError);
}

TEST(LocalDevice, AnIntervalWiderThanTheToleranceAtTheCapIsRefusedNotReported) {
  LocalOptions o;
  o.remember_reference = false;  // writes nothing outside a test folder
  o.timing.tolerance = 1e-9;     // no real timing is this precise
  o.timing.warmup = 1;
  o.timing.sample_ms = 1;
  o.timing.max_wait_s = 1;
  LocalDevice device(o);
  try {
    device.Measure(ToArch(Uniform(Op::kNone)));
    FAIL() << "a measurement wider than its tolerance was reported";
  } catch (const DeviceError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(device.Spec()), std::string::npos) << message;
    EXPECT_NE(message.find("max_wait="), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace simnas

