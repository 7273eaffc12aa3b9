// Real timings on this machine's CPU. These tests are labelled serial in CTest so that no
// other test competes for the cores while they time.
#include "simnas/devices/local_device.h"

#include <gtest/gtest.h>

#include "simnas/core/error.h"

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
  o.max_wait_s = 120;
  return o;
}

TEST(LocalDeviceSerial, LargerCellsMeasureSlower) {
  // The three cells differ ~13x end to end: the order needs no quiet machine, only a
  // machine that does not halve its speed between two measurements.
  LocalOptions o = FreshReference();
  o.quiet_tolerance = 0.5;
  LocalDevice device(o);
  const Cell small = Uniform(Op::kNone);
  const Cell mixed = Cell::Parse("|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_3x3~0|none~1|skip_connect~2|");
  const Cell large = Uniform(Op::kConv3x3);
  const double t_small = device.Measure(small).latency_ms;
  const double t_mixed = device.Measure(mixed).latency_ms;
  const double t_large = device.Measure(large).latency_ms;
  RecordProperty("small_ms", std::to_string(t_small));
  RecordProperty("mixed_ms", std::to_string(t_mixed));
  RecordProperty("large_ms", std::to_string(t_large));
  EXPECT_LT(t_small, t_mixed);
  EXPECT_LT(t_mixed, t_large);
}

TEST(LocalDeviceSerial, RepeatedMeasurementsAgreeWithinFivePercent) {
  LocalDevice device(FreshReference());
  const Cell cell = Cell::Parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|");
  const Measurement a = device.Measure(cell);
  const Measurement b = device.Measure(cell);
  EXPECT_NEAR(a.latency_ms, b.latency_ms, 0.05 * std::min(a.latency_ms, b.latency_ms))
      << a.latency_ms << " vs " << b.latency_ms;
  EXPECT_GE(a.repeats, 30);
  EXPECT_LE(a.spread, 0.10);
}

TEST(LocalDevice, OptionsParseAndRejectBadKeys) {
  const LocalOptions o = ParseLocalOptions("threads=2,batch=8,repeats=10");
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.batch, 8);
  EXPECT_EQ(o.repeats, 10);
  EXPECT_THROW(ParseLocalOptions("thread=2"), ParseError);
  EXPECT_THROW(ParseLocalOptions("batch=0"), ParseError);
  EXPECT_THROW(ParseLocalOptions("batch"), ParseError);
}

TEST(LocalDevice, NoisyTimingsAreReportedAsFailureNotAsANumber) {
  LocalOptions o;
  o.max_spread = 1e-9;  // no real timing is this quiet
  o.repeats = 5;
  o.warmup = 1;
  o.tries = 2;
  LocalDevice device(o);
  EXPECT_THROW(device.Measure(Uniform(Op::kNone)), DeviceError);
}

}  // namespace
}  // namespace simnas
