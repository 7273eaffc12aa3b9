// The live devices' noise control, deterministically: a fake clock that only moves when the
// fake runner "runs" a network for a scripted duration.
#include "simnas/devices/timing_harness.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "test_support.h"

namespace simnas {
namespace {

class FakeClock : public TimingClock {
 public:
  double NowMs() override { return now_ms; }
  double UnixSeconds() override { return kEpoch + now_ms / 1000; }
  static constexpr double kEpoch = 1.8e9;
  double now_ms = 0;
};

// Durations (ms) as functions of the fake time (s) at which a run starts.
class FakeRunner : public TimingRunner {
 public:
  FakeRunner(FakeClock& clock, std::function<double(double)> reference, std::function<double(double)> target)
      : clock_(clock), reference_(std::move(reference)), target_(std::move(target)) {}
  void RunReference() override {
    ++reference_runs;
    clock_.now_ms += reference_(clock_.now_ms / 1000);
  }
  void RunTarget() override {
    ++target_runs;
    clock_.now_ms += target_(clock_.now_ms / 1000);
  }
  int reference_runs = 0;
  int target_runs = 0;

 private:
  FakeClock& clock_;
  std::function<double(double)> reference_;
  std::function<double(double)> target_;
};

double Constant(double) { return 1.0; }

TimingOptions Fast() {
  TimingOptions o;
  o.warmup = 2;
  o.repeats = 30;
  o.min_time_ms = 30;
  o.spin_up_ms = 10;
  return o;
}

TEST(TimingHarness, QuietMachineReportsTheMedianOfAtLeastTheRequestedRepeats) {
  FakeClock clock;
  FakeRunner runner(clock, Constant, [](double) { return 2.5; });
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 2.5);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  EXPECT_EQ(m.repeats, 30);
  EXPECT_DOUBLE_EQ(harness.QuietReference(), 1.0);
}

TEST(TimingHarness, SmallNetworksGetEnoughRepeatsForTheMinimumTimedWork) {
  FakeClock clock;
  FakeRunner runner(clock, Constant, [](double) { return 0.1; });
  TimingOptions o = Fast();
  o.min_time_ms = 300;
  TimingHarness harness(o, "fake", clock);
  EXPECT_EQ(harness.Measure(runner, "cell").repeats, 2000);  // 300 ms / 0.1 ms, capped at 2000
}

// A busy spell (everything runs 50% slower between 1 s and 3 s) is waited out: blocks taken
// while the reference is slow, or that end while it is slow, are discarded, so the answer is
// the quiet speed, not a mix.
TEST(TimingHarness, BlocksTakenWhileTheReferenceIsSlowAreDiscarded) {
  FakeClock clock;
  const auto busy = [](double t) { return t >= 1.0 && t < 3.0; };
  FakeRunner runner(clock, [&](double t) { return busy(t) ? 1.5 : 1.0; },
                    [&](double t) { return busy(t) ? 150.0 : 100.0; });
  TimingOptions o = Fast();
  o.repeats = 60;
  TimingHarness harness(o, "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 100.0);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  // The spell was reached and waited out: more target runs than warm-up + repeats.
  EXPECT_GT(clock.now_ms, 3000);
  EXPECT_GT(runner.target_runs, o.warmup + o.repeats);
}

// A slowdown that starts inside a block is caught by the reference timing after the block.
TEST(TimingHarness, TheReferenceAfterABlockBracketsIt) {
  FakeClock clock;
  int target_calls = 0;
  // Target runs 4-6 (inside the first block after the two warm-up runs) are slow, and so is
  // the reference right after them (the machine got busy during the block).
  bool slow_reference = false;
  FakeRunner runner(
      clock, [&](double) { return slow_reference ? 2.0 : 1.0; },
      [&](double) {
        ++target_calls;
        slow_reference = target_calls >= 4 && target_calls <= 6;
        return slow_reference ? 20.0 : 10.0;
      });
  TimingOptions o = Fast();
  o.warmup = 2;
  o.repeats = 9;  // blocks of 3
  TimingHarness harness(o, "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 10.0);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  // 2 warm-up, one discarded block of 3, 3 runs while waiting for quiet, three kept blocks of 3.
  EXPECT_EQ(runner.target_runs, 2 + 3 + 3 + 9);
}

TEST(TimingHarness, AMachineThatStaysBusyIsRefusedAfterMaxWait) {
  FakeClock clock;
  // Fast for the first timing, then 30% slower for good.
  FakeRunner runner(clock, [](double t) { return t < 0.05 ? 1.0 : 1.3; }, [](double) { return 5.0; });
  TimingOptions o = Fast();
  o.max_wait_s = 20;
  o.reference_window_s = 600;  // the fast timing stays the quiet speed
  TimingHarness harness(o, "fake:dev", clock);
  try {
    harness.Measure(runner, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
    FAIL() << "expected a refusal";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("fake:dev"), std::string::npos) << what;
    EXPECT_NE(what.find("stayed busy"), std::string::npos) << what;
  }
  EXPECT_GE(clock.now_ms, 20000);
  EXPECT_LT(clock.now_ms, 21000);
}

// The quiet speed follows a host that slowed down for good once the old speed leaves the window.
TEST(TimingHarness, TheQuietSpeedFollowsTheHostAfterTheWindow) {
  FakeClock clock;
  FakeRunner runner(clock, [](double t) { return t < 0.05 ? 1.0 : 1.3; }, [](double t) { return t < 0.05 ? 5.0 : 6.5; });
  TimingOptions o = Fast();
  o.max_wait_s = 120;
  o.reference_window_s = 30;
  TimingHarness harness(o, "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 6.5);
  EXPECT_GE(clock.now_ms, 30000);  // waited for the fast timing to age out
  EXPECT_LT(clock.now_ms, 40000);
  EXPECT_NEAR(harness.QuietReference(), 1.3, 1e-9);
}

TEST(TimingHarness, NoisyTimingsAreRetriedThenRefusedNotReported) {
  FakeClock clock;
  int n = 0;
  FakeRunner runner(clock, Constant, [&](double) { return (n++ % 2 == 0) ? 10.0 : 14.0; });  // IQR/median 0.33
  TimingOptions o = Fast();
  o.tries = 3;
  TimingHarness harness(o, "fake", clock);
  try {
    harness.Measure(runner, "cell");
    FAIL() << "expected a refusal";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("too noisy"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("after 3 tries"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runner.target_runs, 3 * (o.warmup + o.repeats));
}

TEST(TimingHarness, ASpreadWithinTheLimitIsReported) {
  FakeClock clock;
  int n = 0;
  FakeRunner runner(clock, Constant, [&](double) { return 10.0 + 0.2 * (n++ % 5); });  // 10.0 .. 10.8
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_NEAR(m.latency_ms, 10.4, 1e-9);
  EXPECT_GT(m.spread, 0);
  EXPECT_LE(m.spread, 0.10);
}

// A quiet speed remembered by another process gates measurements while it is recent and is
// forgotten once it falls out of the window; the file is written only under the test's folder.
TEST(TimingHarness, ARememberedQuietSpeedCountsOnlyWithinItsWindow) {
  testing::TempDir dir;
  const RememberedReference memory{dir / "reference.json", "fake|fingerprint"};
  const auto remember = [&](double ms, double age_s) {
    nlohmann::json j;
    j[memory.key] = {{"ms", ms}, {"time", FakeClock::kEpoch - age_s}};
    std::ofstream(memory.file) << j.dump();
  };
  TimingOptions o = Fast();
  o.max_wait_s = 5;
  o.reference_window_s = 600;
  {
    remember(0.5, 60);  // faster than this "machine" can run now, seen a minute ago
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_THROW(harness.Measure(runner, "cell"), DeviceError);
  }
  {
    remember(0.5, 7200);  // the same speed two hours ago is outside the window
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_DOUBLE_EQ(harness.Measure(runner, "cell").latency_ms, 3.0);
    // The file now holds this process's quiet speed.
    const nlohmann::json j = nlohmann::json::parse(std::ifstream(memory.file));
    EXPECT_DOUBLE_EQ(j[memory.key]["ms"].get<double>(), 1.0);
  }
}

}  // namespace
}  // namespace simnas
