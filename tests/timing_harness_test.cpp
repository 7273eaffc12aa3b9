// The live devices' statistic and noise control, deterministically: a fake clock that only
// moves when the fake runner "runs" a network for a scripted duration. Nothing here depends on
// the machine the test runs on.
#include "simnas/devices/timing_harness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <numbers>
#include <random>

#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "test_support.h"

namespace simnas {
namespace {

class FakeClock : public TimingClock {
 public:
  double NowMs() override { return now_ms; }
  double UnixSeconds() override { return kEpoch + now_ms / 1000; }
  double ThreadCpuMs() override { return now_ms - off_cpu_ms; }
  static constexpr double kEpoch = 1.8e9;
  double now_ms = 0;
  double off_cpu_ms = 0;  // wall time the "thread" spent waiting for its core
};

// Durations (ms) as functions of the fake time (s) at which a run starts.
class FakeRunner : public TimingRunner {
 public:
  FakeRunner(FakeClock& clock, std::function<double(double)> reference, std::function<double(double)> target)
      : clock_(clock), reference_(std::move(reference)), target_(std::move(target)) {}
  void RunReference() override {
    ++reference_runs;
    Advance(reference_(clock_.now_ms / 1000));
  }
  void RunTarget() override {
    ++target_runs;
    const double ms = target_(clock_.now_ms / 1000);
    target_times.push_back(ms);
    Advance(ms);
  }
  int reference_runs = 0;
  int target_runs = 0;
  std::vector<double> target_times;
  // The share of a run's time the thread waits for its core, as a function of the fake time (s).
  std::function<double(double)> off_cpu = [](double) { return 0.0; };

 private:
  void Advance(double ms) {
    clock_.off_cpu_ms += ms * off_cpu(clock_.now_ms / 1000);
    clock_.now_ms += ms;
  }

  FakeClock& clock_;
  std::function<double(double)> reference_;
  std::function<double(double)> target_;
};

double Constant(double) { return 1.0; }

// Short start-up; the statistic's settings pinned (the tests' figures follow from them, whatever
// the product's defaults).
TimingOptions Fast() {
  TimingOptions o;
  o.warmup = 2;
  o.spin_up_ms = 10;
  o.learn_ms = 10;
  o.repeats = 10;
  o.sample_ms = 20;
  o.tolerance = 0.02;
  o.quiet_tolerance = 0.25;
  return o;
}

TEST(MedianInterval, OrderStatisticsOfTheBinomial) {
  std::vector<double> ten;
  for (int i = 10; i >= 1; --i) ten.push_back(i);  // any order
  const auto i10 = MedianInterval(ten);
  ASSERT_TRUE(i10.has_value());
  EXPECT_DOUBLE_EQ(i10->first, 2);  // P(X <= 1) = 0.0107 <= 0.025 < P(X <= 2) = 0.0547
  EXPECT_DOUBLE_EQ(i10->second, 9);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  const auto i100 = MedianInterval(hundred);
  ASSERT_TRUE(i100.has_value());
  EXPECT_DOUBLE_EQ(i100->first, 40);  // the textbook 95% ranks for n = 100: 40 and 61
  EXPECT_DOUBLE_EQ(i100->second, 61);
  EXPECT_FALSE(MedianInterval({1, 2, 3, 4, 5}).has_value());  // no 95% interval from 5 values
  EXPECT_TRUE(MedianInterval({1, 2, 3, 4, 5, 6}).has_value());
}

TEST(TimingHarness, AQuietMachineAnswersWithTheMinimumSamplesAndAZeroWidthInterval) {
  FakeClock clock;
  FakeRunner runner(clock, Constant, [](double) { return 2.5; });
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 2.5);
  EXPECT_DOUBLE_EQ(m.ci_low_ms, 2.5);
  EXPECT_DOUBLE_EQ(m.ci_high_ms, 2.5);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  EXPECT_EQ(m.samples, 10);
  EXPECT_EQ(m.passes, 8);  // 20 ms per sample / 2.5 ms per pass
  EXPECT_EQ(m.repeats, 80);
  EXPECT_DOUBLE_EQ(harness.QuietReference(), 1.0);
}

TEST(TimingHarness, PassesPerSampleAreCalibratedPerNetwork) {
  FakeClock clock;
  FakeRunner small(clock, Constant, [](double) { return 0.1; });
  FakeRunner large(clock, Constant, [](double) { return 50.0; });
  TimingOptions o = Fast();
  o.min_time_ms = 2000;  // and the timed work is at least this much
  TimingHarness harness(o, "fake", clock);
  const Measurement s = harness.Measure(small, "small");
  EXPECT_EQ(s.passes, 200);
  EXPECT_EQ(s.samples, 100);  // 2000 ms of timed work in 20 ms samples
  const Measurement l = harness.Measure(large, "large");
  EXPECT_EQ(l.passes, 1);
  EXPECT_EQ(l.samples, 40);
  EXPECT_DOUBLE_EQ(l.latency_ms, 50);
}

// Single passes that jitter with a 15% interquartile range (of their median) on an otherwise
// steady machine: the median's interval narrows with samples, so the harness answers, within
// the tolerance of the true median, and says how many samples it took.
TEST(TimingHarness, AJitteryRunnerWhosePassesSpreadFifteenPercentIsAnswered) {
  FakeClock clock;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> jitter(8.5, 11.5);  // IQR 1.5 ms around a median of 10 ms
  FakeRunner runner(clock, Constant, [&](double) { return jitter(rng); });
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  // The passes did spread 15% (IQR / median of the single passes the runner gave).
  const std::vector<double>& passes = runner.target_times;
  const double pass_spread = (Percentile(passes, 75) - Percentile(passes, 25)) / Median(passes);
  EXPECT_NEAR(pass_spread, 0.15, 0.02);
  EXPECT_LE(m.RelativeHalfWidth(), 0.02);
  EXPECT_LE(m.ci_low_ms, m.latency_ms);
  EXPECT_GE(m.ci_high_ms, m.latency_ms);
  EXPECT_NEAR(m.latency_ms, 10.0, 0.2);
  EXPECT_GT(m.samples, 10);  // more than the minimum: the interval had to narrow
  EXPECT_LT(clock.now_ms, 1000 * Fast().max_wait_s);
}

// The whole machine drifts slowly (up to 40% slower and back, every 7 s): reference and target
// slow down alike, so normalization by the bracketing reference cancels the drift, and the
// samples taken while the reference was more than 25% slow do not count. The answer is the
// target's latency at the quiet speed, never a drifted one.
TEST(TimingHarness, AMachineDriftingSlowlyIsNormalizedToItsQuietSpeed) {
  FakeClock clock;
  const auto speed = [](double t) { return 1.0 + 0.2 * (1 - std::cos(2 * std::numbers::pi * t / 7.0)); };  // 1.0 .. 1.4
  FakeRunner runner(clock, [&](double t) { return 1.0 * speed(t); }, [&](double t) { return 10.0 * speed(t); });
  TimingOptions o = Fast();
  o.repeats = 100;  // the measurement spans seconds of drift
  TimingHarness harness(o, "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_GT(clock.now_ms, 2000);
  EXPECT_NEAR(m.latency_ms, 10.0, 10.0 * 0.03);
  EXPECT_LE(m.RelativeHalfWidth(), 0.02);
  // Without normalization the same drift would have been reported as up to 25% slower.
  TimingOptions raw = o;
  raw.normalize = false;
  FakeClock clock2;
  FakeRunner runner2(clock2, [&](double t) { return 1.0 * speed(t); }, [&](double t) { return 10.0 * speed(t); });
  TimingHarness harness2(raw, "fake", clock2);
  try {
    const Measurement r = harness2.Measure(runner2, "cell");
    EXPECT_LE(r.latency_ms, 12.5);  // bracketing bounds it even then
  } catch (const DeviceError&) {
    // or it is refused: never 50% off
  }
}

// A slow spell after the quiet speed was learned (everything 50% slower for good, within the
// window): nothing taken in it counts, and the measurement is refused at the cap, saying so.
TEST(TimingHarness, AMachineThatStaysSlowIsRefusedAtTheCapNeverReportedSlow) {
  FakeClock clock;
  FakeRunner runner(clock, [](double t) { return t < 0.05 ? 1.0 : 1.5; }, [](double t) { return t < 0.05 ? 5.0 : 7.5; });
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
    EXPECT_NE(what.find("50% slower"), std::string::npos) << what;
    EXPECT_NE(what.find("max_wait="), std::string::npos) << what;
  }
  EXPECT_GE(clock.now_ms, 20000);
  EXPECT_LT(clock.now_ms, 20100);
}

// A machine overloaded from the start: another process shares the core, so every loop takes 3x
// its time while the thread is on the CPU a third of it. The reference is time-sliced alike, so
// the quiet speed learned from it is 3x too slow and bracketing alone would accept a 3x-too-slow
// latency; the CPU share catches it: nothing counts and the measurement is refused at the cap,
// saying why. A machine overloaded only for a while after the speed was learned answers the
// true latency from the samples outside that while.
TEST(TimingHarness, LoopsThatSharedTheCoreDoNotCount) {
  // Overloaded within [from, until) s: every run 3x longer, the thread on the CPU a third of it.
  const auto measure = [](double from, double until, const TimingOptions& o, FakeClock& clock) {
    const auto overloaded = [=](double t) { return t >= from && t < until; };
    FakeRunner runner(clock, [=](double t) { return overloaded(t) ? 3.0 : 1.0; },
                      [=](double t) { return overloaded(t) ? 30.0 : 10.0; });
    runner.off_cpu = [=](double t) { return overloaded(t) ? 2.0 / 3 : 0.0; };
    return TimingHarness(o, "fake", clock).Measure(runner, "cell");
  };
  TimingOptions o = Fast();
  o.max_wait_s = 5;
  FakeClock clock;
  try {
    const Measurement m = measure(0, 1e9, o, clock);
    FAIL() << "accepted " << m.latency_ms << " ms";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("another process shared the core"), std::string::npos) << what;
    EXPECT_NE(what.find("as little as 33%"), std::string::npos) << what;
  }
  EXPECT_GE(clock.now_ms, 5000);

  o.quiet_tolerance = 5;  // the band alone would let the overloaded loops count
  FakeClock clock2;
  const Measurement m = measure(0.1, 1.0, o, clock2);
  EXPECT_DOUBLE_EQ(m.latency_ms, 10.0);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  EXPECT_GE(clock2.now_ms, 1000);
}

// A slowdown that starts inside a sample is caught by the reference timing after it.
TEST(TimingHarness, TheReferenceAfterASampleBracketsIt) {
  FakeClock clock;
  int target_calls = 0;
  // The first sample's two passes (after two warm-up and three calibration passes) are slow, and
  // so is the reference right after them.
  bool slow = false;
  FakeRunner runner(
      clock, [&](double) { return slow ? 2.0 : 1.0; },
      [&](double) {
        ++target_calls;
        slow = target_calls >= 6 && target_calls <= 7;  // 2 warm-up + 3 calibration, then the first sample
        return slow ? 20.0 : 10.0;
      });
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 10.0);
  EXPECT_DOUBLE_EQ(m.spread, 0);
  EXPECT_EQ(m.samples, 10);
  EXPECT_EQ(m.passes, 2);
  // 2 warm-up, 3 calibration, the first sample and the next (its reference before was the slow
  // one) discarded, then ten counted ones.
  EXPECT_EQ(runner.target_runs, 2 + 3 + 2 * 2 + 10 * 2);
}

// Samples that never agree (alternating 10 and 14 ms) leave the interval of the median wide:
// refused at the cap, saying how wide and what to change.
TEST(TimingHarness, AnIntervalWiderThanTheToleranceAtTheCapIsRefusedSayingHowWide) {
  FakeClock clock;
  int n = 0;
  TimingOptions o = Fast();
  o.max_wait_s = 5;
  o.sample_ms = 10;
  // Each sample is one pass (10 or 14 ms, alternating per pass).
  FakeRunner runner(clock, Constant, [&](double) { return (n++ % 2 == 0) ? 10.0 : 14.0; });
  TimingHarness harness(o, "fake", clock);
  try {
    harness.Measure(runner, "cell");
    FAIL() << "expected a refusal";
  } catch (const DeviceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("95% interval"), std::string::npos) << what;
    EXPECT_NE(what.find("tolerance +-2.0%"), std::string::npos) << what;
    EXPECT_NE(what.find("max_wait=10"), std::string::npos) << what;
    EXPECT_NE(what.find("tolerance="), std::string::npos) << what;
  }
  EXPECT_GE(clock.now_ms, 5000);
  EXPECT_LT(clock.now_ms, 5100);
}

// The quiet speed follows a host that slowed down for good once the old speed leaves the window.
TEST(TimingHarness, TheQuietSpeedFollowsTheHostAfterTheWindow) {
  FakeClock clock;
  FakeRunner runner(clock, [](double t) { return t < 0.05 ? 1.0 : 1.5; }, [](double t) { return t < 0.05 ? 5.0 : 7.5; });
  TimingOptions o = Fast();
  o.max_wait_s = 60;
  o.reference_window_s = 30;
  TimingHarness harness(o, "fake", clock);
  const Measurement m = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 7.5);
  EXPECT_GE(clock.now_ms, 30000);  // waited for the fast timing to age out
  EXPECT_LT(clock.now_ms, 40000);
  EXPECT_NEAR(harness.QuietReference(), 1.5, 1e-9);
}

// A quiet speed remembered by another process normalizes measurements while it is recent (older
// than the in-process window, younger than the memory's), is forgotten once it falls out of the
// memory's window, and is relearned when the host now runs far slower than it; an entry of
// another format is ignored; the file is written only under the test's folder.
TEST(TimingHarness, ARememberedQuietSpeedCountsOnlyWithinItsWindow) {
  testing::TempDir dir;
  const RememberedReference memory{dir / "reference.json", "fake|fingerprint"};
  const auto remember = [&](double ms, double age_s, bool with_passes) {
    nlohmann::json j;
    j[memory.key] = {{"ms", ms}, {"time", FakeClock::kEpoch - age_s}};
    if (with_passes) j[memory.key]["passes"] = 2;
    std::ofstream(memory.file) << j.dump();
  };
  TimingOptions o = Fast();
  o.max_wait_s = 5;
  o.reference_window_s = 600;
  o.memory_window_s = 3600;
  {
    remember(0.9, 1800, true);  // 10% faster than this "machine" runs now, seen half an hour ago
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_NEAR(harness.Measure(runner, "cell").latency_ms, 2.7, 1e-9);  // at the remembered speed
    EXPECT_NEAR(harness.QuietReference(), 0.9, 1e-12);
  }
  {
    remember(0.5, 60, true);  // twice as fast as this "machine" can run now: the host changed
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_DOUBLE_EQ(harness.Measure(runner, "cell").latency_ms, 3.0);
    EXPECT_DOUBLE_EQ(harness.QuietReference(), 1.0);
  }
  {
    remember(0.5, 60, false);  // the same without the loop's passes: another format, ignored
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_DOUBLE_EQ(harness.Measure(runner, "cell").latency_ms, 3.0);
  }
  {
    remember(0.5, 7200, true);  // seen two hours ago: outside the window
    FakeClock clock;
    FakeRunner runner(clock, Constant, [](double) { return 3.0; });
    TimingHarness harness(o, "fake", clock, memory);
    EXPECT_DOUBLE_EQ(harness.Measure(runner, "cell").latency_ms, 3.0);
    // The file now holds this process's quiet speed and its loop.
    const nlohmann::json j = nlohmann::json::parse(std::ifstream(memory.file));
    EXPECT_DOUBLE_EQ(j[memory.key]["ms"].get<double>(), 1.0);
    EXPECT_EQ(j[memory.key]["passes"].get<int>(), 2);
  }
}

// Two processes (two harnesses sharing the memory file) normalize to the same quiet speed: the
// second, started during a spell where everything runs 20% slower, reports the same latency.
TEST(TimingHarness, ASecondProcessInASlowSpellReportsTheSameLatency) {
  testing::TempDir dir;
  const RememberedReference memory{dir / "reference.json", "fake|fingerprint"};
  FakeClock clock;
  double factor = 1.0;
  FakeRunner runner(clock, [&](double) { return 1.0 * factor; }, [&](double) { return 6.0 * factor; });
  TimingHarness first(Fast(), "fake", clock, memory);
  const Measurement a = first.Measure(runner, "cell");
  factor = 1.2;
  TimingHarness second(Fast(), "fake", clock, memory);
  const Measurement b = second.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(a.latency_ms, 6.0);
  EXPECT_NEAR(b.latency_ms, 6.0, 1e-9);
}

// The quiet speed is learned once and kept: a second process that meets the host in a faster
// spell (the reference 10% faster, within the band) reports the latency the first one did, in
// the units of the speed the first one learned; the fastest timing of a window (what every
// process would otherwise normalize to) falls as the host is seen faster, and with it the
// answers. The memory file still holds the learned speed.
TEST(TimingHarness, ASecondProcessInAFasterSpellKeepsTheLearnedSpeed) {
  testing::TempDir dir;
  const RememberedReference memory{dir / "reference.json", "fake|fingerprint"};
  FakeClock clock;
  double factor = 1.0;
  FakeRunner runner(clock, [&](double) { return 1.0 * factor; }, [&](double) { return 5.0 * factor; });
  const Measurement first = TimingHarness(Fast(), "fake", clock, memory).Measure(runner, "cell");
  factor = 0.9;
  TimingHarness second(Fast(), "fake", clock, memory);
  const Measurement later = second.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(first.latency_ms, 5.0);
  EXPECT_NEAR(later.latency_ms, 5.0, 1e-9);
  EXPECT_DOUBLE_EQ(second.QuietReference(), 1.0);
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(memory.file));
  EXPECT_DOUBLE_EQ(j[memory.key]["ms"].get<double>(), 1.0);
}

// Within one process too: after the learning time, faster reference timings do not move the
// speed that samples are normalized to, so two measurements of one network agree.
TEST(TimingHarness, FasterTimingsAfterLearningDoNotMoveTheQuietSpeed) {
  FakeClock clock;
  const auto factor = [](double t) { return t < 2.0 ? 1.0 : 0.85; };
  FakeRunner runner(clock, [&](double t) { return 1.0 * factor(t); }, [&](double t) { return 4.0 * factor(t); });
  TimingHarness harness(Fast(), "fake", clock);
  const Measurement before = harness.Measure(runner, "cell");
  clock.now_ms = 3000;
  const Measurement after = harness.Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(before.latency_ms, 4.0);
  EXPECT_NEAR(after.latency_ms, 4.0, 1e-9);
  EXPECT_DOUBLE_EQ(harness.QuietReference(), 1.0);
}

// A second process ten minutes after the first (beyond the in-process window, within the
// memory's), started in a slow spell longer than the learning time, still normalizes to the speed
// the first one saw; with a memory as short as the in-process window it takes the spell for the
// quiet speed and reports the slow latency.
TEST(TimingHarness, AProcessMinutesLaterInALongSlowSpellReportsTheSameLatency) {
  for (const double memory_window_s : {3600.0, 90.0}) {
    testing::TempDir dir;
    const RememberedReference memory{dir / "reference.json", "fake|fingerprint"};
    TimingOptions o = Fast();
    o.learn_ms = 1000;
    o.quiet_tolerance = 0.75;
    o.reference_window_s = 90;
    o.memory_window_s = memory_window_s;
    FakeClock clock;
    double factor = 1.0;
    FakeRunner runner(clock, [&](double) { return 1.0 * factor; }, [&](double) { return 6.0 * factor; });
    const Measurement first = TimingHarness(o, "fake", clock, memory).Measure(runner, "cell");
    EXPECT_DOUBLE_EQ(first.latency_ms, 6.0);
    clock.now_ms += 600000;
    factor = 1.45;  // the whole second measurement runs in the slow spell
    const Measurement second = TimingHarness(o, "fake", clock, memory).Measure(runner, "cell");
    if (memory_window_s > 600) {
      EXPECT_NEAR(second.latency_ms, 6.0, 1e-9);
    } else {
      EXPECT_NEAR(second.latency_ms, 6.0 * 1.45, 1e-9);
    }
  }
}

// A first process (no remembered speed) that starts in the host's slow spell: everything runs
// 1.5x slower for its first 0.6 s, then at the quiet speed. It learns the quiet speed before its
// first sample and reports the quiet latency; without the learning time it would have finished
// inside the spell and reported the slow one.
TEST(TimingHarness, AProcessStartingInASlowSpellLearnsTheQuietSpeedFirst) {
  const auto reference = [](double t) { return t < 0.6 ? 1.5 : 1.0; };
  const auto target = [](double t) { return t < 0.6 ? 3.0 : 2.0; };
  TimingOptions o = Fast();
  o.learn_ms = 1000;
  FakeClock clock;
  FakeRunner runner(clock, reference, target);
  const Measurement m = TimingHarness(o, "fake", clock).Measure(runner, "cell");
  EXPECT_DOUBLE_EQ(m.latency_ms, 2.0);
  EXPECT_GE(clock.now_ms, 1000);

  o.learn_ms = 0;
  FakeClock clock2;
  FakeRunner runner2(clock2, reference, target);
  const Measurement unlearned = TimingHarness(o, "fake", clock2).Measure(runner2, "cell");
  EXPECT_LT(clock2.now_ms, 600);  // all of it inside the spell
  EXPECT_DOUBLE_EQ(unlearned.latency_ms, 3.0);
}

}  // namespace
}  // namespace simnas
