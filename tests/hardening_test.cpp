// Hardening: the cases a hostile user found, one test (or more) per case —
// no path becomes a gnuplot command; search stops at the first SIGINT/SIGTERM, also inside
// a device call, and leaves no device process; device programs are contained (own process
// group, result read at exit, leftovers killed, even after kill -9 of simnas); one writer per
// run id / output; bad inputs refused; the store checked before measuring; write failures
// reported; clear messages; a shell-quoted {arch_sh}; SHA-256 from OpenSSL; cached files
// checked before reuse; one rule for a latency read from a program, a table or a flag; shipped
// files read-only; output that reads two ways refused; a failing benchmark device is a failure;
// reserved registry names; default folders; input sizes and training settings checked up
// front; how to fetch the data again; lock files removed without letting two holders overlap.
// docs/reliability.md lists every case with the test that holds it.
//
// Time bounds here are deliberately loose (seconds where the goal is well under one): they
// catch a hang, never a slow machine. The real figures are measured outside the tests.
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "controller_test_support.h"
#include "simnas/bench/bench_config.h"
#include "simnas/controller/controller_model.h"
#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/shipped_files.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"
#include "simnas/data/fetch.h"
#include "simnas/data/latency_table.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/output_formats.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/arch_export.h"
#include "simnas/probe/probe_store.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/proxies/proxy_table.h"
#include "fixture_data.h"
#include "fixture_data_folder.h"
#include "simnas/space/data_manifest.h"
#include "test_support.h"

extern char** environ;

namespace simnas {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const Cell kCell = Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|");

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool Alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH); }

// Waits until `pid` is gone (reaped by whoever owns it), up to `seconds`.
bool GoneWithin(pid_t pid, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Alive(pid)) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The pid a fake device program wrote into `file`, waiting up to `seconds` for it.
pid_t WaitForPidFile(const fs::path& file, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const std::string text = Slurp(file);
    if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::atol(text.c_str()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// simnas started in the background (so that the test can signal it); stdout and stderr go
// to files in `dir`.
struct Background {
  pid_t pid = -1;
  fs::path out, err;
};

Background SpawnCli(const std::vector<std::string>& args, const testing::TempDir& dir, const std::string& tag) {
  Background b;
  b.out = dir / (tag + ".out");
  b.err = dir / (tag + ".err");
  std::vector<std::string> argv = {SIMNAS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, b.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, b.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  EXPECT_EQ(posix_spawn(&b.pid, cargv[0], &actions, nullptr, cargv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return b;
}

// Exit status of a background simnas: its exit code, 128+signal if killed, -1 if it did not
// end within `seconds` (then it is killed).
int WaitExit(pid_t pid, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (true) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (Clock::now() > end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -2;
}

// Common expectations on a refused command: one line "simnas: error: ..." naming `what`.
void ExpectOneLineError(const testing::CliResult& r, const std::string& what) {
  EXPECT_GT(r.exit_code, 0) << r.err;
  EXPECT_LT(r.exit_code, 128) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("simnas: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

std::string CmdSpec(const fs::path& script, const std::string& placeholder = "{arch}") {
  return "cmd:'" + script.string() + "' " + placeholder;
}

// ------------------------------------------------------------------ 1. gnuplot

TEST(HardeningGnuplot, QuoteRefusesControlCharacters) {
  EXPECT_EQ(GnuplotQuote("it's"), "'it''s'");
  EXPECT_THROW(GnuplotQuote("a\nsystem \"touch x\""), ParseError);
  EXPECT_THROW(GnuplotQuote("tab\there"), ParseError);
  EXPECT_THROW(GnuplotQuote(std::string("cr\rhere")), ParseError);
}

TEST(HardeningGnuplot, APathWithANewlineAndSystemRunsNothing) {
  testing::TempDir dir;
  const fs::path pwned = dir / "pwned";
  const fs::path png = dir.path() / ("t\nsystem \"touch " + pwned.string() + "\"\n#.png");
  EXPECT_THROW(RenderGnuplot("plot x", png), Error);
  EXPECT_FALSE(fs::exists(pwned));
}

TEST(HardeningGnuplot, TheCliRefusesSuchAnArgumentBeforeDoingAnything) {
  testing::TempDir dir;
  const fs::path pwned = dir / "pwned";
  const std::string out = (dir / "t").string() + "\nsystem \"touch " + pwned.string() + "\"\n#";
  const testing::CliResult r = testing::RunCli({"train", "--steps", "64", "--out", out}, 120);
  ExpectOneLineError(r, "control character");
  EXPECT_FALSE(fs::exists(pwned));
  EXPECT_TRUE(fs::is_empty(dir.path()));  // nothing trained, no folder made
}

// ------------------------------------------------------------------ 2. signals

class HardeningSearchSignal : public ::testing::TestWithParam<int> {};

TEST_P(HardeningSearchSignal, ExitsWith130WhileADeviceProgramHangsAndLeavesNoDeviceProcess) {
  const int sig = GetParam();
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "hang.sh", "echo $$ > '" + (dir / "pid").string() + ".tmp'; mv '" +
                                                                 (dir / "pid").string() + ".tmp' '" +
                                                                 (dir / "pid").string() + "'; exec sleep 60");
  Background b = SpawnCli({"--store", (dir / "p.sqlite").string(), "search", "--device", CmdSpec(script), "--budget-ms",
                           "5", "--run-id", "sig-run"},
                          dir, "search");
  const pid_t device = WaitForPidFile(dir / "pid", 120);
  ASSERT_GT(device, 0) << Slurp(b.err);
  ASSERT_TRUE(Alive(device));
  const auto t0 = Clock::now();
  ASSERT_EQ(::kill(b.pid, sig), 0);
  const int code = WaitExit(b.pid, 30);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(code, 130) << Slurp(b.err);
  EXPECT_LT(seconds, 5.0);  // the goal is well under 1 s; this bound only catches a hang
  EXPECT_FALSE(Alive(device)) << "the device program outlived simnas";
  const std::string err = Slurp(b.err);
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_NE(err.find("--run-id sig-run"), std::string::npos) << err;
  EXPECT_EQ(err.find("timed out"), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(Hardening, HardeningSearchSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

TEST(HardeningSearchSignalResume, InterruptedBetweenProbesThenResumedWithoutMeasuringAgain) {
  testing::TempDir dir;
  // Each call appends its cell to a log; slow until the file "fast" exists.
  const auto script = testing::WriteScript(
      dir / "dev.sh", "d=\"$(dirname \"$0\")\"; echo \"$1\" >> \"$d/calls\"; [ -e \"$d/fast\" ] || sleep 0.3; echo 2.5");
  const std::vector<std::string> args = {"--store", (dir / "p.sqlite").string(), "search", "--device", CmdSpec(script),
                                         "--strategy", "random", "--budget-ms", "5", "--run-id", "resume-run"};
  Background b = SpawnCli(args, dir, "first");
  const auto end = Clock::now() + std::chrono::seconds(120);
  while (testing::CountLines(Slurp(dir / "calls")) < 3 && Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(testing::CountLines(Slurp(dir / "calls")), 3) << Slurp(b.err);
  ASSERT_EQ(::kill(b.pid, SIGINT), 0);
  EXPECT_EQ(WaitExit(b.pid, 30), 130) << Slurp(b.err);
  const int calls_before = testing::CountLines(Slurp(dir / "calls"));
  EXPECT_LT(calls_before, 10);  // stopped, did not run all ten probes

  std::ofstream(dir / "fast") << "";
  const testing::CliResult r = testing::RunCli(args, 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(replayed)"), std::string::npos) << r.out;
  // Cells measured before the interrupt are not measured again: 10 distinct cells in all
  // (the cell in flight at the signal, killed unrecorded, may be measured once more).
  std::set<std::string> distinct;
  for (const std::string& line : Split(Slurp(dir / "calls"), '\n')) {
    if (!line.empty()) distinct.insert(line);
  }
  EXPECT_LE(testing::CountLines(Slurp(dir / "calls")), 11);
  EXPECT_EQ(distinct.size(), 10u);
}

TEST(HardeningMeasureAllSignal, SigintInsideADeviceCallSavesTheTableAndExits130) {
  testing::TempDir dir;
  const fs::path pid = dir / "pid";
  // Two quick cells, then a hang on the third.
  const auto script = testing::WriteScript(
      dir / "dev.sh", "echo \"$1\" >> '" + (dir / "calls").string() + "'; n=$(wc -l < '" + (dir / "calls").string() +
                          "'); [ \"$n\" -ge 3 ] || { echo 2.5; exit 0; }; echo $$ > '" + pid.string() + ".tmp'; mv '" +
                          pid.string() + ".tmp' '" + pid.string() + "'; exec sleep 60");
  const fs::path out = dir / "t.csv";
  Background b = SpawnCli({"--store", (dir / "p.sqlite").string(), "measure-all", "--device", CmdSpec(script),
                           "--sample", "10", "--out", out.string()},
                          dir, "measure-all");
  const pid_t device = WaitForPidFile(pid, 120);
  ASSERT_GT(device, 0) << Slurp(b.err);
  ASSERT_EQ(::kill(b.pid, SIGINT), 0);
  EXPECT_EQ(WaitExit(b.pid, 30), 130) << Slurp(b.err);
  EXPECT_FALSE(Alive(device));
  EXPECT_EQ(LoadLatencyTable(out, &testing::Data().space()).CountKnown(), 2);
}

// ------------------------------------------------------------------ 3. containment

TEST(HardeningContainment, ResultIsReadWhenTheProgramExitsAndItsBackgroundChildIsKilled) {
  testing::TempDir dir;
  // The background child keeps stdout open for 60 s.
  const auto script = testing::WriteScript(dir / "dev.sh", "sleep 60 & echo $! > '" + (dir / "child").string() +
                                                               "'; echo 4.5");
  const ProcessResult r = RunProcess({script.string()}, 30);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(r.out), "4.5");
  EXPECT_LT(r.seconds, 10.0);  // not the child's 60 s, not the 30 s timeout
  const auto child = static_cast<pid_t>(std::atol(Slurp(dir / "child").c_str()));
  ASSERT_GT(child, 0);
  EXPECT_FALSE(Alive(child));
}

TEST(HardeningContainment, ChildrenThatLeftTheGroupWithSetsidAreKilledToo) {
  testing::TempDir dir;
  // One child in its own session, and a grandchild orphaned by a double fork (also in its
  // own session): neither is in the program's process group.
  const auto script = testing::WriteScript(
      dir / "dev.sh", "setsid sleep 60 & echo $! > '" + (dir / "a").string() + "'\n" +
                          "( setsid sh -c 'echo $$ > \"" + (dir / "b").string() + ".tmp\"; mv \"" +
                          (dir / "b").string() + ".tmp\" \"" + (dir / "b").string() +
                          "\"; exec sleep 60' >/dev/null 2>&1 & )\n" + "while [ ! -e '" + (dir / "b").string() +
                          "' ]; do sleep 0.01; done; echo 3");
  const ProcessResult r = RunProcess({script.string()}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(r.out), "3");
  const auto a = static_cast<pid_t>(std::atol(Slurp(dir / "a").c_str()));
  const auto b = static_cast<pid_t>(std::atol(Slurp(dir / "b").c_str()));
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  EXPECT_FALSE(Alive(a));
  EXPECT_FALSE(Alive(b));
}

TEST(HardeningContainment, TimeoutKillsTheWholeGroup) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "sleep 60 & echo $! > '" + (dir / "child").string() +
                                                               "'; exec sleep 60");
  const ProcessResult r = RunProcess({script.string()}, 1);
  EXPECT_TRUE(r.timed_out);
  const auto child = static_cast<pid_t>(std::atol(Slurp(dir / "child").c_str()));
  ASSERT_GT(child, 0);
  EXPECT_FALSE(Alive(child));
}

TEST(HardeningContainment, KillMinus9OfSimnasTakesTheInFlightProgramWithIt) {
  testing::TempDir dir;
  const fs::path pid = dir / "pid";
  const auto script = testing::WriteScript(
      dir / "dev.sh", "setsid sleep 60 & echo $! > '" + (dir / "child").string() + "'\necho $$ > '" + pid.string() +
                          ".tmp'; mv '" + pid.string() + ".tmp' '" + pid.string() + "'; exec sleep 60");
  Background b = SpawnCli({"--store", (dir / "p.sqlite").string(), "measure", "--device", CmdSpec(script), "--index",
                           "3"},
                          dir, "measure");
  const pid_t device = WaitForPidFile(pid, 120);
  ASSERT_GT(device, 0) << Slurp(b.err);
  const auto child = static_cast<pid_t>(std::atol(Slurp(dir / "child").c_str()));
  ASSERT_GT(child, 0);
  ASSERT_EQ(::kill(b.pid, SIGKILL), 0);
  EXPECT_EQ(WaitExit(b.pid, 30), 128 + SIGKILL);
  EXPECT_TRUE(GoneWithin(device, 10)) << "the device program outlived kill -9 of simnas";
  EXPECT_TRUE(GoneWithin(child, 10)) << "the device program's setsid child outlived kill -9 of simnas";
}

// ------------------------------------------------------------------ 4. locks

TEST(HardeningLocks, ASecondHolderIsRefusedWithThePidAndTheLockIsFreedAtTheEnd) {
  testing::TempDir dir;
  const fs::path file = dir / "x.lock";
  {
    const FileLock first(file, "thing X");
    try {
      const FileLock second(file, "thing X");
      FAIL() << "a second lock was granted";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("thing X is in use"), std::string::npos) << msg;
      EXPECT_NE(msg.find(fmt::format("pid {}", ::getpid())), std::string::npos) << msg;
      EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    }
  }
  EXPECT_NO_THROW(FileLock(file, "thing X"));
}

TEST(HardeningLocks, SameStoreAndRunIdTwiceIsRefusedAndNothingIsMeasuredTwice) {
  testing::TempDir dir;
  const fs::path pid = dir / "pid";
  const auto script = testing::WriteScript(dir / "dev.sh", "echo \"$1\" >> '" + (dir / "calls").string() + "'; echo $$ > '" +
                                                               pid.string() + ".tmp'; mv '" + pid.string() + ".tmp' '" +
                                                               pid.string() + "'; exec sleep 60");
  const std::vector<std::string> args = {"--store", (dir / "p.sqlite").string(), "search", "--device",
                                         CmdSpec(script), "--budget-ms", "5", "--run-id", "one-run"};
  Background first = SpawnCli(args, dir, "first");
  ASSERT_GT(WaitForPidFile(pid, 120), 0) << Slurp(first.err);
  const testing::CliResult second = testing::RunCli(args, 120);
  ExpectOneLineError(second, "run id 'one-run'");
  EXPECT_NE(second.err.find("in use by another simnas process (pid " + std::to_string(first.pid)), std::string::npos)
      << second.err;
  EXPECT_EQ(testing::CountLines(Slurp(dir / "calls")), 1);  // only the first search's call
  ::kill(first.pid, SIGINT);
  EXPECT_EQ(WaitExit(first.pid, 30), 130);
}

TEST(HardeningLocks, ProbeSessionsOnOneRunIdExcludeEachOther) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "echo 2.0");
  CommandDevice device(CmdSpec(script).substr(4), testing::Data().space());
  ProbeStore store(dir / "p.sqlite");
  ProbeSession a(device, testing::Data().space(), 3, &store, "run-a");
  EXPECT_THROW(ProbeSession(device, testing::Data().space(), 3, &store, "run-a"), Error);
  EXPECT_NO_THROW(ProbeSession(device, testing::Data().space(), 3, &store, "run-b"));
  a.Probe(ToArch(kCell));
  EXPECT_EQ(store.Load("run-a", device.Fingerprint(), "nb201").size(), 1u);
}

TEST(HardeningLocks, TrainOutFolderInUseIsRefusedAndNothingIsWritten) {
  testing::TempDir dir;
  const fs::path out = dir / "train";
  const FileLock held(out / ".train.lock", "training folder " + out.string());
  const testing::CliResult r = testing::RunCli({"train", "--steps", "64", "--out", out.string()}, 300);
  ExpectOneLineError(r, "training folder " + out.string() + " is in use");
  EXPECT_FALSE(fs::exists(out / "command.txt"));
  EXPECT_FALSE(fs::exists(out / "checkpoint.ckpt"));
}

TEST(HardeningLocks, MeasureAllOutputInUseIsRefused) {
  testing::TempDir dir;
  const fs::path out = dir / "t.csv";
  const FileLock held(dir / ".t.csv.lock", "output " + out.string());
  const testing::CliResult r = testing::RunCli(
      {"--store", (dir / "p.sqlite").string(), "measure-all", "--device", "table:fpga", "--sample", "5", "--out",
       out.string()},
      120);
  ExpectOneLineError(r, "output " + out.string() + " is in use");
  EXPECT_FALSE(fs::exists(out));
}

// ------------------------------------------------------------------ 5. inputs that slipped through

TEST(HardeningInputs, NanBudgetAndNegativeSeedAreRefused) {
  const testing::CliResult nan = testing::RunCli({"search", "--device", "table:fpga", "--budget-ms", "nan"});
  EXPECT_EQ(nan.exit_code, 2) << nan.err;
  EXPECT_NE(nan.err.find("finite positive"), std::string::npos) << nan.err;
  const testing::CliResult inf = testing::RunCli({"search", "--device", "table:fpga", "--budget-ms", "inf"});
  EXPECT_EQ(inf.exit_code, 2) << inf.err;
  const testing::CliResult seed = testing::RunCli({"search", "--device", "table:fpga", "--seed", "-1"});
  EXPECT_EQ(seed.exit_code, 2) << seed.err;
  EXPECT_NE(seed.err.find("non-negative integer"), std::string::npos) << seed.err;
  const testing::CliResult arch_seed = testing::RunCli({"arch", "--random", "--seed", "-3"});
  EXPECT_EQ(arch_seed.exit_code, 2) << arch_seed.err;
  EXPECT_EQ(testing::RunCli({"arch", "--random", "--seed", "18446744073709551615"}).exit_code, 0);
}

TEST(HardeningInputs, AHugeRegistryTimeoutMeansNoTimeoutNotAnInstantOne) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "sleep 0.2; echo 1.75");
  std::ofstream(dir / "devices.json") << R"({"devices": {"slow": {"spec": "cmd:')" << script.string()
                                      << R"(' {arch}", "timeout_s": 1e10, "retries": 0}}})";
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), dir / "devices.json");
  EXPECT_EQ(OpenDevice("slow", env)->Measure(ToArch(kCell)).latency_ms, 1.75);
  const ProcessResult r = RunProcess({"true"}, 1e300);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
}

// Work run in a child process: its files stay, its memory does not reach this process, and
// what it threw (or how it died) comes back as one message.
TEST(HardeningInputs, WorkInAChildProcessKeepsItsFilesNotItsMemory) {
  testing::TempDir dir;
  int changed = 0;
  RunInChildProcess([&] {
    changed = 1;
    std::ofstream(dir / "written") << "model";
  });
  EXPECT_EQ(changed, 0);
  EXPECT_EQ(ReadFile(dir / "written"), "model");
  try {
    RunInChildProcess([] { throw DataError("cannot write the model"); });
    FAIL() << "a failing child was not reported";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write the model");
  }
  try {
    RunInChildProcess([] { ::raise(SIGKILL); });  // no core file
    FAIL() << "a child killed by a signal was not reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("signal"), std::string::npos) << e.what();
  }
}

TEST(HardeningInputs, DeviceOutputInHexOrAbsurdRangeIsNotALatency) {
  for (const char* bad : {"0x10", "0x10 ms", "1e308", "{\"latency_ms\": 1e308}", "inf", "-0", "1e-12", "0x1p3",
                          "12.5 0x1", "1e7"}) {
    EXPECT_THROW(ParseLatencyOutput(bad), DeviceError) << bad;
  }
  EXPECT_EQ(ParseLatencyOutput("1.5e1 ms").latency_ms, 15.0);
  EXPECT_EQ(ParseLatencyOutput("+3").latency_ms, 3.0);
  EXPECT_EQ(ParseLatencyOutput(".5").latency_ms, 0.5);
}

TEST(HardeningInputs, AProxyTableOfAnotherDatasetIsRefused) {
  const fs::path cifar100 = testing::RepoProxyTable(Dataset::kCifar100);
  try {
    LoadProxyTable(cifar100, Dataset::kCifar10);
    FAIL() << "a cifar100 table was accepted for cifar10";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("dataset 'cifar100'"), std::string::npos) << e.what();
  }
  const testing::CliResult r = testing::RunCli(
      {"search", "--device", "table:fpga", "--dataset", "cifar10", "--proxy-table", cifar100.string()});
  ExpectOneLineError(r, "dataset 'cifar100'");
}

TEST(HardeningInputs, ATableCsvWhoseArchContradictsItsIndexIsRefused) {
  testing::TempDir dir;
  const SearchSpace& space = testing::Data().space();
  std::ofstream(dir / "t.csv") << "index,ms,spread,repeats,arch\n3,1.5,0,1," << space.CellAt(3).ToString() << "\n4,1.6,0,1,"
                               << space.CellAt(5).ToString() << "\n";
  EXPECT_NO_THROW(LoadLatencyTable(dir / "t.csv"));  // without the space, nothing to check against
  try {
    LoadLatencyTable(dir / "t.csv", &space);
    FAIL() << "a contradicting table loaded";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:3"), std::string::npos) << e.what();
  }
  const testing::CliResult r =
      testing::RunCli({"measure", "--device", "table:" + (dir / "t.csv").string(), "--index", "3"});
  ExpectOneLineError(r, "is not the cell of index 4");
}

TEST(HardeningInputs, AMissingOrDamagedAccuracyFileIsNamedNotDropped) {
  testing::TempDir dir;
  const char* env = std::getenv("SIMNAS_DATA");
  ASSERT_NE(env, nullptr);
  const fs::path real(env);
  const fs::path data = dir / "data";
  fs::create_directories(data / "nats-bench-accuracy");
  for (const auto& entry : fs::directory_iterator(real)) {
    if (entry.path().filename() != "nats-bench-accuracy") fs::create_symlink(entry.path(), data / entry.path().filename());
  }
  for (const auto& entry : fs::directory_iterator(real / "nats-bench-accuracy")) {
    if (entry.path().filename() != "cifar100_perfmetrics.txt") {
      fs::create_symlink(entry.path(), data / "nats-bench-accuracy" / entry.path().filename());
    }
  }
  std::ofstream(data / "nats-bench-accuracy" / "cifar100_perfmetrics.txt") << "# damaged\n0, 12.5, 1, 2\n1, oops\n";
  const testing::CliResult r =
      testing::RunCli({"--data", data.string(), "search", "--device", "table:fpga", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("accuracy_unavailable")) << r.out;
  EXPECT_TRUE(j["accuracy_unavailable"].contains("cifar100")) << r.out;
  EXPECT_FALSE(j["accuracy"].contains("cifar100")) << r.out;
  EXPECT_TRUE(j["accuracy"].contains("cifar10")) << r.out;
  EXPECT_NE(r.err.find("cifar100_perfmetrics.txt"), std::string::npos) << r.err;
}

TEST(HardeningInputs, ResumeWithoutACheckpointIsRefused) {
  testing::TempDir dir;
  const testing::CliResult r =
      testing::RunCli({"train", "--steps", "64", "--out", (dir / "run").string(), "--resume"}, 300);
  ExpectOneLineError(r, "no checkpoint");
  EXPECT_FALSE(fs::exists(dir / "run" / "command.txt"));
  // And the other way round: a folder holding a run is not overwritten without --resume.
  fs::create_directories(dir / "run");
  std::ofstream(dir / "run" / "checkpoint.ckpt") << "x";
  const testing::CliResult again = testing::RunCli({"train", "--steps", "64", "--out", (dir / "run").string()}, 300);
  ExpectOneLineError(again, "pass --resume");
  EXPECT_EQ(Slurp(dir / "run" / "checkpoint.ckpt"), "x");
}

TEST(HardeningInputs, NanBiasesInAControllerFileAreRefused) {
  testing::TempDir dir;
  ControllerModel m = testing::RandomControllerModel(EnvConfig{}, 5);
  m.layers.back().bias[2] = std::nanf("");
  SaveControllerModel(dir / "nan.ctl", m);
  try {
    LoadControllerModel(dir / "nan.ctl");
    FAIL() << "a model with a NaN bias loaded";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite bias"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------ 6. store checked before measuring

TEST(HardeningStore, ALockedStoreFailsBeforeTheFirstMeasurement) {
  testing::TempDir dir;
  const fs::path store = dir / "p.sqlite";
  { ProbeStore create(store); }
  SQLite::Database holder(store.string(), SQLite::OPEN_READWRITE);
  holder.exec("BEGIN EXCLUSIVE");
  const auto script = testing::WriteScript(dir / "dev.sh", "echo \"$1\" >> '" + (dir / "calls").string() + "'; echo 2.0");
  const testing::CliResult r =
      testing::RunCli({"--store", store.string(), "search", "--device", CmdSpec(script), "--budget-ms", "5"}, 120);
  ExpectOneLineError(r, store.string());
  EXPECT_FALSE(fs::exists(dir / "calls")) << "a measurement was taken and lost";
  holder.exec("ROLLBACK");
}

TEST(HardeningStore, AReadOnlyStoreFailsBeforeTheFirstMeasurement) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes read-only files; the locked-store test covers this path";
  testing::TempDir dir;
  const fs::path store = dir / "p.sqlite";
  { ProbeStore create(store); }
  fs::permissions(store, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const auto script = testing::WriteScript(dir / "dev.sh", "echo \"$1\" >> '" + (dir / "calls").string() + "'; echo 2.0");
  const testing::CliResult r =
      testing::RunCli({"--store", store.string(), "search", "--device", CmdSpec(script), "--budget-ms", "5"}, 120);
  ExpectOneLineError(r, store.string());
  EXPECT_FALSE(fs::exists(dir / "calls"));
}

// ------------------------------------------------------------------ 7. full disk (file size limit)

TEST(HardeningDisk, AWriteBeyondTheFileSizeLimitIsOneLineAndLeavesNoTemp) {
  testing::TempDir dir;
  const fs::path out = dir / "all.csv";
  // ulimit -f 400 (512-byte blocks in dash, 1 KiB in bash): the store fits, the full table does not.
  const auto wrapper = testing::WriteScript(dir / "limited.sh", "ulimit -f 400 && exec \"$@\"");
  const ProcessResult r = RunProcess({wrapper.string(), SIMNAS_CLI_PATH, "--store", (dir / "p.sqlite").string(),
                                      "measure-all", "--device", "table:fpga", "--out", out.string()},
                                     300);
  EXPECT_EQ(r.exit_code, 1) << r.err << " signal " << r.signal;  // not 153 (SIGXFSZ)
  const std::size_t at = r.err.find("simnas: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err.substr(at)), 1) << r.err;  // (progress lines may come before)
  EXPECT_NE(r.err.find("simnas: error: cannot write " + out.string() + ": File too large"), std::string::npos) << r.err;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << "temp left behind: " << entry.path();
  }
  // The target is the last complete table, never a torn one.
  ASSERT_TRUE(fs::exists(out));
  EXPECT_NO_THROW(LoadLatencyTable(out, &testing::Data().space()));
}

// ------------------------------------------------------------------ 8. messages

TEST(HardeningMessages, SayWhatIsWrong) {
  testing::TempDir dir;
  ExpectOneLineError(testing::RunCli({"arch", "--index", "15625"}), "outside [0, 15624]");
  fs::create_directories(dir / "a-dir");
  try {
    WriteFileAtomically(dir / "a-dir", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  ExpectOneLineError(testing::RunCli({"--store", (dir / "p.sqlite").string(), "measure-all", "--device", "table:fpga",
                                      "--sample", "3", "--out", (dir / "a-dir").string()}),
                     "is a directory");
  ExpectOneLineError(
      testing::RunCli({"search", "--device", "table:fpga", "--proxy-table", (dir / "a-dir").string()}),
      "is a directory");
  std::ofstream(dir / "plain-file") << "x";
  const auto script = testing::WriteScript(dir / "dev.sh", "echo 2.0");
  ExpectOneLineError(testing::RunCli({"--store", (dir / "plain-file" / "sub" / "p.sqlite").string(), "measure",
                                      "--device", CmdSpec(script), "--index", "3"}),
                     "cannot create its folder");
}

TEST(HardeningMessages, OutputCutIsSaidToBeCut) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "dev.sh", "head -c 50000000 /dev/zero | tr '\\0' a");
  CommandOptions options;
  options.retries = 0;
  options.timeout_seconds = 120;
  CommandDevice device(CmdSpec(script).substr(4), testing::Data().space(), options);
  try {
    device.Measure(ToArch(kCell));
    FAIL() << "50 MB of 'a' gave a latency";
  } catch (const DeviceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("output cut"), std::string::npos) << msg.substr(0, 400);
    EXPECT_NE(msg.find("50000000 bytes"), std::string::npos) << msg.substr(0, 400);
    EXPECT_LT(msg.size(), 600u) << msg;
  }
  // Logs longer than the capture do not hide a latency printed at the end.
  const auto chatty = testing::WriteScript(dir / "chatty.sh", "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo 6.5");
  CommandDevice ok(CmdSpec(chatty).substr(4), testing::Data().space(), options);
  EXPECT_EQ(ok.Measure(ToArch(kCell)).latency_ms, 6.5);
}

TEST(HardeningMessages, InterruptedTrainingSaysToResume) {
  testing::TempDir dir;
  const fs::path out = dir / "run";
  Background b = SpawnCli({"train", "--steps", "100000000", "--out", out.string()}, dir, "train");
  const auto end = Clock::now() + std::chrono::seconds(180);
  while (!fs::exists(out / "command.txt") && Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(out / "command.txt")) << Slurp(b.err);
  ::kill(b.pid, SIGINT);
  EXPECT_EQ(WaitExit(b.pid, 120), 130) << Slurp(b.err);
  const std::string err = Slurp(b.err);
  EXPECT_NE(err.find("with --resume"), std::string::npos) << err;
  EXPECT_TRUE(fs::exists(out / "checkpoint.ckpt"));
}

// ------------------------------------------------------------------ 9. ssh-safe placeholder

TEST(HardeningSsh, ArchShSurvivesARemoteShellThatJoinsItsArguments) {
  testing::TempDir dir;
  // A fake ssh as OpenSSH behaves: the host, then the rest joined by spaces and run by `sh -c`.
  const auto ssh = testing::WriteScript(dir / "ssh", "shift; exec sh -c \"$*\"");
  // The remote timing script: exactly one argument, the architecture string.
  const auto remote = testing::WriteScript(
      dir / "time.sh", "[ \"$#\" -eq 1 ] || { echo \"got $# arguments\" >&2; exit 2; }; printf '%s' \"$1\" > '" +
                           (dir / "arg").string() + "'; echo 7.5");
  CommandOptions options;
  options.retries = 0;
  CommandDevice device("'" + ssh.string() + "' board '" + remote.string() + "' {arch_sh}", testing::Data().space(),
                       options);
  EXPECT_EQ(device.Measure(ToArch(kCell)).latency_ms, 7.5);
  EXPECT_EQ(Slurp(dir / "arg"), kCell.ToString());
  // The bare {arch} is what the README used to show: the remote shell splits it at '|'.
  CommandDevice bare("'" + ssh.string() + "' board '" + remote.string() + "' {arch}", testing::Data().space(), options);
  EXPECT_THROW(bare.Measure(ToArch(kCell)), DeviceError);
}

// ------------------------------------------------------------------ 10. SHA-256 from OpenSSL

TEST(HardeningSha256, KnownVectors) {
  testing::TempDir dir;
  std::ofstream(dir / "abc", std::ios::binary) << "abc";
  std::ofstream(dir / "empty", std::ios::binary) << "";
  EXPECT_EQ(Sha256OfFile(dir / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256OfFile(dir / "empty"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THROW(Sha256OfFile(dir / "missing"), DataError);
}


// ------------------------------------------------------------------ 11. cached files checked before reuse

// Copies `from` and the check kept beside it (core/verified_cache.h), when there is one, over `to`.
void CopyCachedFile(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  const fs::path check = from.string() + ".check";
  if (fs::exists(check)) fs::copy_file(check, to.string() + ".check", fs::copy_options::overwrite_existing);
}

// A device program that prints its {onnx} file's size in kB: a model swapped for another
// architecture's would change the latency it reports.
TEST(HardeningCache, ASwappedOrTruncatedCachedModelIsExportedAgain) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "size.sh", "wc -c < \"$1\" | awk '{print $1 / 1000}'");
  CommandOptions options;
  options.retries = 0;
  options.cache_dir = dir / "cache";
  CommandDevice device("'" + script.string() + "' {onnx}", testing::FixtureSpace(), options);
  const Cell small = Cell::Parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|");
  const Cell big = Cell::Parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  const double small_ms = device.Measure(ToArch(small)).latency_ms;
  const double big_ms = device.Measure(ToArch(big)).latency_ms;
  ASSERT_GT(big_ms, 2 * small_ms);
  const fs::path folder = ExportFolder(options.cache_dir);
  const fs::path small_file = folder / ArchOnnxFileName(ToArch(small), options.export_options);
  const fs::path big_file = folder / ArchOnnxFileName(ToArch(big), options.export_options);
  const std::string small_bytes = Slurp(small_file);
  // The big model under the small one's name, with its own check.
  CopyCachedFile(big_file, small_file);
  EXPECT_EQ(device.Measure(ToArch(small)).latency_ms, small_ms);
  // Truncated; truncated and without its check: exported again, byte for byte.
  fs::resize_file(small_file, 1000);
  EXPECT_EQ(device.Measure(ToArch(small)).latency_ms, small_ms);
  EXPECT_EQ(Slurp(small_file), small_bytes);
  fs::remove(small_file.string() + ".check");
  fs::resize_file(small_file, 1000);
  EXPECT_EQ(device.Measure(ToArch(small)).latency_ms, small_ms);
  EXPECT_TRUE(fs::exists(small_file.string() + ".check"));
  // A cache that cannot be written is an error naming the file.
  fs::remove(small_file);
  fs::create_directories(small_file);  // a folder where the model should be
  try {
    device.Measure(ToArch(small));
    FAIL() << "measured without its model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(small_file.string()), std::string::npos) << e.what();
  }
}

TEST(HardeningCache, AnEditedOrSwappedFbnetProxyCacheEntryIsNotReused) {
  testing::TempDir dir;
  const DescribedProxyCache cache(dir.path(), FbnetSpace(), Dataset::kCifar100, 0);
  const Arch a = FbnetSpace().Parse(
      "k5_e1-skip-k3_e1-skip-k5_e1_g2-k5_e1_g2-k3_e1_g2-k3_e1-k3_e3-k5_e6-k5_e6-k5_e1-k5_e6-k3_e6-k3_e1-k5_e1_g2-k5_e3-"
      "k5_e1_g2-k5_e3-k3_e1_g2-k3_e3-k3_e1");
  const Arch b = FbnetSpace().Parse(
      "k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-"
      "k3_e1-k3_e1-k3_e1-k3_e1");
  DescribedProxyValues va{810.25, 7149034.5, 1645244, 49221248, std::nullopt};
  DescribedProxyValues vb{12.5, 3.25, 1000, 2000, std::nullopt};
  cache.Put(a, va);
  cache.Put(b, vb);
  ASSERT_TRUE(cache.Get(a));
  EXPECT_EQ(cache.Get(a)->naswot, 810.25);
  // An edited value.
  std::string text = Slurp(cache.FileOf(a));
  text.replace(text.find("810.25"), 6, "99999");
  std::ofstream(cache.FileOf(a), std::ios::trunc) << text;
  EXPECT_FALSE(cache.Get(a)) << "an edited cache file was reused";
  // Another network's file and check under this name.
  CopyCachedFile(cache.FileOf(b), cache.FileOf(a));
  EXPECT_FALSE(cache.Get(a)) << "another network's values were reused";
  cache.Put(a, va);
  EXPECT_EQ(cache.Get(a)->naswot, 810.25);
  EXPECT_EQ(cache.Get(b)->naswot, 12.5);
}

// ------------------------------------------------------------------ 12. one rule for a latency read from outside

// What a device program may not print, a table file may not hold: the same values are refused
// in both, for both spaces.
TEST(HardeningInputs, ATableCsvRefusesWhatDeviceOutputRefuses) {
  testing::TempDir dir;
  const SearchSpace& space = testing::FixtureSpace();
  const CandidateSet fbnet =
      testing::FbnetCandidates({FbnetArch::Parse("k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-"
                                                 "k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1"),
                                FbnetArch::Parse("k5_e6-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-"
                                                 "k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1")});
  for (const char* bad : {"0x10", "0x1p3", "1e308", "1e-300", "1e-320", "inf", "nan", "-0", "1e7", "0"}) {
    EXPECT_THROW(ParseLatencyOutput(bad), DeviceError) << bad;
    const fs::path csv = dir / "t.csv";
    std::ofstream(csv, std::ios::trunc) << "index,ms,spread,repeats,arch\n0,2.5,0,1,\n1," << bad << ",0,1,\n";
    for (int which = 0; which < 2; ++which) {
      try {
        if (which == 0) LoadLatencyTable(csv, &space);
        if (which == 1) LoadTableFile(csv, fbnet);
        ADD_FAILURE() << "a table with latency " << bad << " loaded (" << (which == 0 ? "nb201" : "fbnet") << ")";
      } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("t.csv:3"), std::string::npos) << e.what();
      }
    }
  }
  // What a program may print, a table may hold.
  for (const char* good : {"2.5", "1.5e1", ".5", "+3", "1e-6", "1e6"}) {
    EXPECT_NO_THROW(ParseLatencyOutput(good)) << good;
    std::ofstream(dir / "ok.csv", std::ios::trunc) << "index,ms\n1," << good << "\n";
    EXPECT_NO_THROW(LoadLatencyTable(dir / "ok.csv", &space)) << good;
  }
  // Through the CLI: one line naming the file and line.
  std::ofstream(dir / "hex.csv") << "index,ms\n3,0x10\n";
  const testing::CliResult r = testing::RunCli({"--data", testing::FixtureDataFolder().string(), "measure", "--device",
                                                "table:" + (dir / "hex.csv").string(), "--index", "3"});
  ExpectOneLineError(r, "hex.csv:2: latency '0x10' is not a plain decimal number");
}

// ------------------------------------------------------------------ 13. shipped files are read-only

// A share folder as a build tree has it: its tables/ a link into a "checkout".
struct FakeShare {
  explicit FakeShare(const testing::TempDir& dir)
      : share(dir / "build" / "share" / "simnas"), checkout(dir / "checkout") {
    fs::create_directories(checkout / "tables" / "proxies" / "nb201");
    fs::create_directories(share);
    fs::create_directory_symlink(checkout / "tables", share / "tables");
    table = checkout / "tables" / "proxies" / "nb201" / "cifar10.csv";
    std::ofstream(table) << "# a shipped table\n";
  }
  fs::path share, checkout, table;
};

TEST(HardeningShipped, WritersRefuseShippedFilesUnlessOutNamesThem) {
  testing::TempDir dir;
  const FakeShare fake(dir);
  const fs::path linked = fake.share / "tables" / "proxies";
  ProtectShippedFolders({fake.share, fake.share / "tables"});
  try {
    WriteFileAtomically(linked / "nb201" / "cifar10.csv", "changed");
    ADD_FAILURE() << "a shipped file was replaced";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shipped files"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--out"), std::string::npos) << e.what();
  }
  EXPECT_THROW(WriteFileAtomically(fake.checkout / "tables" / "new.csv", "x"), Error);  // the link's target too
  EXPECT_THROW(FileLock(linked / "nb201" / ".cifar10.csv.lock", "output"), Error);
  EXPECT_THROW(ProbeStore(linked / "p.sqlite"), Error);
  EXPECT_NO_THROW(WriteFileAtomically(dir / "elsewhere.csv", "x"));
  // An output the user named, and the files that go with it, may be written.
  AllowExplicitOutput(linked / "nb201" / "cifar10.csv");
  EXPECT_NO_THROW(WriteFileAtomically(linked / "nb201" / "cifar10.csv", "named"));
  EXPECT_NO_THROW(FileLock(linked / "nb201" / ".cifar10.csv.lock", "output"));
  EXPECT_NO_THROW(WriteFileAtomically(linked / "nb201" / "cifar10.csv.log", "log"));
  EXPECT_THROW(WriteFileAtomically(linked / "nb201" / "cifar100.csv", "x"), Error);
  ProtectShippedFolders({});
  EXPECT_EQ(Slurp(fake.table), "named");
}

TEST(HardeningShipped, ProxiesAllWithoutOutLeavesTheShippedTableAlone) {
  testing::TempDir dir;
  const FakeShare fake(dir);
  const testing::CliResult r = testing::RunCli({"--data", testing::FixtureDataFolder().string(), "--share",
                                                fake.share.string(), "proxies", "--all", "--dataset", "cifar10"});
  ExpectOneLineError(r, "shipped files");
  EXPECT_EQ(Slurp(fake.table), "# a shipped table\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(fake.table.parent_path()), fs::directory_iterator()), 1);
}

// ------------------------------------------------------------------ 14. output that reads two ways

TEST(HardeningInputs, AmbiguousDeviceOutputIsRefusedOrReadByTheDocumentedRule) {
  // The second number is a relative spread: a fraction in [0, 0.5] or a percentage.
  for (const char* bad : {"4.2 5.3", "4.2 0.9", "4.2 -0.5", "4.2 ms 70%", "4,2", "4.2 0,05",
                          R"({"latency_ms": 4.2, "latency_ms": 99})", R"({"latency_ms": 4.2, "spread": 0.9})",
                          R"({"latency_ms": 4.2, "spread": "low"})", R"({"latency_ms": 4.2, "repeats": 0})"}) {
    EXPECT_THROW(ParseLatencyOutput(bad), DeviceError) << bad;
  }
  EXPECT_EQ(ParseLatencyOutput("4.2 0.05").spread, 0.05);
  EXPECT_EQ(ParseLatencyOutput("4.2 ms 5%").spread, 0.05);
  EXPECT_EQ(ParseLatencyOutput("4.2 0.5").spread, 0.5);
  try {
    ParseLatencyOutput("9,76");
    FAIL();
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("decimal comma"), std::string::npos) << e.what();
  }
  // Two trtexec summaries (warm-up, then the timed run): the last one.
  const std::string two_runs =
      "[I] Latency: min = 1.1 ms, max = 2.2 ms, mean = 1.5 ms, median = 1.4 ms\n"
      "[I] Latency: min = 9.11 ms, max = 11.7 ms, mean = 9.81 ms, median = 9.76 ms\n";
  EXPECT_EQ(ParseDeviceOutput(two_runs, OutputFormat::kTrtexec).latency_ms, 9.76);
  EXPECT_EQ(ParseDeviceOutput(two_runs, OutputFormat::kAuto).latency_ms, 9.76);
  const std::string two_blocks =
      "[ INFO ] Latency:\n[ INFO ]    Median:     5.00 ms\n[ INFO ]    Average:    5.10 ms\n"
      "[ INFO ] Latency:\n[ INFO ]    Median:     20.64 ms\n[ INFO ]    Average:    20.70 ms\n";
  EXPECT_EQ(ParseDeviceOutput(two_blocks, OutputFormat::kBenchmarkApp).latency_ms, 20.64);
  // A localized build's decimal comma: refused, not read as 9 ms or passed over for the mean.
  for (const auto& [text, format] : std::vector<std::pair<std::string, OutputFormat>>{
           {"[I] Latency: min = 9.11 ms, max = 11.7 ms, mean = 9.81 ms, median = 9,76404 ms\n", OutputFormat::kTrtexec},
           {"[I] Latency: min = 9.11 ms, max = 11.7 ms, mean = 9.81 ms, median = 9,76404 ms\n", OutputFormat::kAuto},
           {"[ INFO ] Latency:\n[ INFO ]    Median:     20,64 ms\n[ INFO ]    Average:    20.70 ms\n",
            OutputFormat::kBenchmarkApp},
           {"count=50 first=1 curr=2 min=3 max=4 avg=249,684 std=1442\n", OutputFormat::kTfliteBenchmarkModel}}) {
    try {
      ParseDeviceOutput(text, format);
      ADD_FAILURE() << "read a latency from " << text;
    } catch (const DeviceError& e) {
      EXPECT_NE(std::string(e.what()).find("decimal comma"), std::string::npos) << e.what();
    }
  }
  // A table row with more fields than its header (a decimal comma in a CSV).
  testing::TempDir dir;
  std::ofstream(dir / "t.csv") << "index,ms\n3,9,76\n";
  EXPECT_THROW(LoadLatencyTable(dir / "t.csv", &testing::FixtureSpace()), DataError);
}

// ------------------------------------------------------------------ 15. a benchmark whose device failed

TEST(HardeningBench, ALiveDeviceThatFailsMakesTheBenchmarkFailAndIsRetriedOnTheNextRun) {
  testing::TempDir dir;
  testing::WriteMadeUpProxyTables(dir / "proxies");
  // Answers while the file "healthy" exists; else only its first `budget` calls.
  const fs::path calls = dir / "calls";
  const auto script = testing::WriteScript(
      dir / "dev.sh", "echo x >> '" + calls.string() + "'; n=$(wc -l < '" + calls.string() + "')\n[ -e '" +
                          (dir / "healthy").string() + "' ] || [ \"$n\" -le \"$(cat '" + (dir / "budget").string() +
                          "')\" ] || { echo 'no route to host' >&2; exit 1; }\necho \"$(( ${#1} % 13 + 1 )).25\"\n");
  std::ofstream(dir / "config.json") << R"({"name": "t", "strategies": ["random"], "seeds": 1, "groups": [
      {"name": "live", "kind": "percentile", "devices": ["cmd:)" << script.string()
                                     << R"( {arch}"], "percentiles": [50], "datasets": ["cifar100"],
       "probes": [3], "reference": {"top": 5, "random": 10, "seed": 0}}]})";
  const std::vector<std::string> args = {"--data", testing::FixtureDataFolder().string(), "--store",
                                         (dir / "p.sqlite").string(), "bench", "--config",
                                         (dir / "config.json").string(), "--out", (dir / "out").string(),
                                         "--proxy-dir", (dir / "proxies").string()};
  const auto last_line = [](const std::string& err) {
    const std::string t(Trim(err));
    return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
  };
  // Never answers: no reference sample, no run, and the benchmark fails naming the device's problem.
  std::ofstream(dir / "budget") << "0\n";
  const testing::CliResult dead = testing::RunCli(args, 300);
  EXPECT_EQ(dead.exit_code, 1) << dead.err;
  EXPECT_EQ(last_line(dead.err).rfind("simnas: error: bench: 0 failed run(s) and 1 device(s) without a reference", 0),
            0u)
      << dead.err;
  EXPECT_NE(last_line(dead.err).find("no route to host"), std::string::npos) << dead.err;
  // Answers its reference sample (15 cells), then fails: the run fails, the report says so.
  fs::remove(calls);
  std::ofstream(dir / "budget", std::ios::trunc) << "15\n";
  const testing::CliResult failing = testing::RunCli(args, 300);
  EXPECT_EQ(failing.exit_code, 1) << failing.err;
  EXPECT_NE(last_line(failing.err).find("1 failed run(s)"), std::string::npos) << failing.err;
  const std::string report = Slurp(dir / "out" / "report.md");
  EXPECT_NE(report.find("| random | 1 (1 failed) | 1 | – | – | – |"), std::string::npos) << report;
  // Healthy again: the failed run is run again (it was not taken as done) and the benchmark passes.
  std::ofstream(dir / "healthy") << "";
  const testing::CliResult healthy = testing::RunCli(args, 300);
  EXPECT_EQ(healthy.exit_code, 0) << healthy.err;
  EXPECT_EQ(Slurp(dir / "out" / "report.md").find("failed"), std::string::npos);
}

// ------------------------------------------------------------------ 16. registry names

TEST(HardeningInputs, ARegistryEntryNamedLikeABuiltInDeviceIsRefused) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "board.sh", "touch '" + (dir / "ran").string() + "'; echo 2.5");
  for (const char* name : {"local", "opencv", "table", "cmd", "synthetic", "train", "test", "local:threads=2", ""}) {
    std::ofstream(dir / "devices.json", std::ios::trunc)
        << R"({"devices": {")" << name << R"(": {"spec": "cmd:')" << script.string() << R"(' {arch}"}}})";
    try {
      LoadDeviceRegistry(dir / "devices.json");
      ADD_FAILURE() << "a registry entry named '" << name << "' loaded";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("devices.json: device '" + std::string(name) + "'"), std::string::npos)
          << e.what();
    }
  }
  // Through the CLI: the entry is named, and neither the user's program nor this CPU's timing runs.
  std::ofstream(dir / "devices.json", std::ios::trunc)
      << R"({"devices": {"local": {"spec": "cmd:')" << script.string() << R"(' {arch}"}}})";
  const testing::CliResult r =
      testing::RunCli({"--data", testing::FixtureDataFolder().string(), "--store", (dir / "p.sqlite").string(),
                       "--registry", (dir / "devices.json").string(), "measure", "--device", "local", "--index", "3"});
  ExpectOneLineError(r, "device 'local': the name of the built-in device kind local");
  EXPECT_FALSE(fs::exists(dir / "ran"));
  EXPECT_EQ(r.out, "");
}

// ------------------------------------------------------------------ 17. default folders

// The data folder the CLI chooses (`data verify` reads it, writes nothing), run from `cwd` with
// HOME, SIMNAS_DATA and the XDG variables unset, then `assignments` (VAR=value) set.
std::string DefaultDataFolder(const fs::path& cwd, const std::vector<std::string>& assignments) {
  std::vector<std::string> argv = {"env", "-C", cwd.string(), "-u", "HOME", "-u", "SIMNAS_DATA",
                                   "-u", "XDG_DATA_HOME"};
  argv.insert(argv.end(), assignments.begin(), assignments.end());
  argv.insert(argv.end(), {SIMNAS_CLI_PATH, "data", "verify", "--json"});
  const ProcessResult r = RunProcess(argv, 120);
  EXPECT_TRUE(r.started) << r.error;
  try {
    return nlohmann::json::parse(r.out)["data"].get<std::string>();
  } catch (const std::exception&) {
    ADD_FAILURE() << r.out << r.err;
    return "";
  }
}

TEST(HardeningEnvironment, WithoutHomeOrWithARelativeXdgPathTheDefaultsAreNotTheWorkingFolder) {
  testing::TempDir dir;
  const passwd* account = ::getpwuid(::getuid());
  ASSERT_NE(account, nullptr);
  const fs::path home_data = fs::path(account->pw_dir) / ".local" / "share" / "simnas" / "data";
  EXPECT_EQ(DefaultDataFolder(dir.path(), {}), home_data.string());                     // no HOME: the account's
  EXPECT_EQ(DefaultDataFolder(dir.path(), {"XDG_DATA_HOME=rel"}), home_data.string());  // relative: ignored
  EXPECT_EQ(DefaultDataFolder(dir.path(), {"HOME=rel"}), home_data.string());
  EXPECT_EQ(DefaultDataFolder(dir.path(), {"HOME=" + (dir / "h").string()}),
            (dir / "h/.local/share/simnas/data").string());
  EXPECT_EQ(DefaultDataFolder(dir.path(), {"XDG_DATA_HOME=" + (dir / "x").string()}), (dir / "x/simnas/data").string());
  EXPECT_TRUE(fs::is_empty(dir.path()));  // nothing written in the working folder
}

// ------------------------------------------------------------------ 18. input sizes

TEST(HardeningInputs, InputSizesTheNetworksCannotTakeAreRefusedUpFrontNamingTheFlagOrEntry) {
  testing::TempDir dir;
  const auto script = testing::WriteScript(dir / "board.sh", "touch '" + (dir / "ran").string() + "'; echo 2.5");
  std::ofstream(dir / "devices.json") << R"({"devices": {"board": {"spec": "cmd:')" << script.string()
                                      << R"(' {onnx}", "export": {"input_size": 10}}}})";
  const std::vector<std::string> common = {"--data", testing::FixtureDataFolder().string(), "--store",
                                           (dir / "p.sqlite").string(), "--cache", (dir / "cache").string(),
                                           "--registry", (dir / "devices.json").string()};
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), common.begin(), common.end());
    return testing::RunCli(args, 120);
  };
  ExpectOneLineError(run({"export", "--index", "3", "--input-size", "7", "--out", (dir / "x.onnx").string()}),
                     "--input-size 7: NAS-Bench-201 networks take a multiple of 4");
  ExpectOneLineError(run({"measure", "--device", "opencv:input=10", "--index", "3"}), "input=10: NAS-Bench-201");
  ExpectOneLineError(run({"measure", "--device", "local:input=9", "--index", "3"}), "input=9: NAS-Bench-201");
  ExpectOneLineError(run({"measure", "--device", "board", "--index", "3"}),
                     "devices.json: device 'board': export: input size 10");
  EXPECT_FALSE(fs::exists(dir / "ran"));
  EXPECT_FALSE(fs::exists(dir / "x.onnx"));
  // What the networks take is still taken.
  EXPECT_EQ(Nb201Space().InputSizeProblem(12), "");
  EXPECT_EQ(FbnetSpace().InputSizeProblem(9), "");
  EXPECT_NE(FbnetSpace().InputSizeProblem(4), "");
}

// ------------------------------------------------------------------ 19. training settings

TEST(HardeningInputs, TrainingSettingsOutOfRangeAreRefusedBeforeAnythingIsWritten) {
  testing::TempDir dir;
  const fs::path out = dir / "run";
  for (const auto& [flag, value, mention] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--entropy", "nan", "--entropy"},
           {"--lr", "nan", "--lr"},
           {"--lr", "inf", "--lr"},
           {"--gamma", "-3", "--gamma -3: must be in [0, 1]"},
           {"--gae-lambda", "1.5", "--gae-lambda 1.5: must be in [0, 1]"},
           {"--lr", "0", "--lr 0: must be in (0, 1]"},
           {"--envs", "0", "--envs 0: must be at least 1"},
           {"--checkpoint-minutes", "0", "--checkpoint-minutes"}}) {
    const testing::CliResult r = testing::RunCli({"train", "--steps", "64", "--out", out.string(), flag, value}, 120);
    ExpectOneLineError(r, mention);
    EXPECT_EQ(r.exit_code, 2) << r.err;  // a bad flag
    EXPECT_FALSE(fs::exists(out)) << flag << " " << value;
  }
}

// Updates take whole batches: --steps 10 trains one batch, and says so.
TEST(HardeningInputs, TrainingFewerStepsThanABatchSaysWhatItTrains) {
  testing::TempDir dir;
  const fs::path out = dir / "run";
  const testing::CliResult r = testing::RunCli(
      {"train", "--steps", "10", "--envs", "4", "--rollout", "8", "--minibatch", "32", "--out", out.string()}, 600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("10 steps asked for, 32 trained"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/10 "), std::string::npos) << r.err;  // no "32/10 (320.0%)"
  EXPECT_NE(r.out.find("trained 32 steps"), std::string::npos) << r.out;
}

// ------------------------------------------------------------------ 20. budgets

TEST(HardeningInputs, ABudgetThatIsNotALatencyIsRefusedInOneShortLine) {
  for (const char* bad : {"inf", "-5", "1e-320", "nan", "0x10", "1e300"}) {
    const testing::CliResult r = testing::RunCli(
        {"--data", testing::FixtureDataFolder().string(), "search", "--device", "table:fpga", "--budget-ms", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--budget-ms: must be a finite positive number of ms in [1e-06, 1e+06]"), std::string::npos)
        << r.err;
    EXPECT_LT(r.err.size(), 200u) << r.err;
  }
}

// ------------------------------------------------------------------ 21. how to get the data again

TEST(HardeningMessages, OnlyFilesOfTheDataFolderSayToFetchTheData) {
  const DataDir data("/d");
  EXPECT_EQ(WithDataFetchHint(data, DataManifest(), "/d/help-nasbench201/fpga.pt: file is empty"),
            "/d/help-nasbench201/fpga.pt: file is empty (run `simnas data fetch` to fetch or repair the data folder)");
  EXPECT_EQ(WithDataFetchHint(data, DataManifest(), "/elsewhere/fpga.pt: file is empty"), "/elsewhere/fpga.pt: file is empty");
  EXPECT_EQ(WithDataFetchHint(data, DataManifest(), "/d/help-nasbench201: missing (run `simnas data fetch`)"),
            "/d/help-nasbench201: missing (run `simnas data fetch`)");
  // A table file of the user's own: no hint to fetch the benchmark data.
  testing::TempDir dir;
  std::ofstream(dir / "own.pt") << "PK\x03\x04garbage";
  const testing::CliResult r = testing::RunCli({"--data", testing::FixtureDataFolder().string(), "measure", "--device",
                                                "table:" + (dir / "own.pt").string(), "--index", "3"});
  ExpectOneLineError(r, "own.pt: not a readable torch.save file");
  EXPECT_EQ(r.err.find("simnas data fetch"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ 22. outputs

TEST(HardeningMessages, AnOutputThatNamesNoFileOrCannotBeReplacedIsSaidSo) {
  testing::TempDir dir;
  const std::vector<std::string> common = {"--data", testing::FixtureDataFolder().string(), "--store",
                                           (dir / "p.sqlite").string(), "measure-all", "--device", "table:fpga",
                                           "--sample", "3", "--out"};
  std::vector<std::string> empty = common;
  empty.push_back("");
  const testing::CliResult r = testing::RunCli(empty);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ExpectOneLineError(r, "--out: must name a file or folder, got ''");
  std::vector<std::string> proc = common;
  proc.push_back("/proc/version");
  ExpectOneLineError(testing::RunCli(proc), "output /proc/version: cannot create its lock file /proc/.version.lock");
  ExpectOneLineError(testing::RunCli({"--data", testing::FixtureDataFolder().string(), "export", "--index", "3",
                                      "--out", "/proc/version"}),
                     "cannot write /proc/version: cannot create a file in /proc to replace it with");
  EXPECT_THROW(WriteFileAtomically("", "x"), Error);
}

// The values are computed: a cache that cannot keep them is a warning, and the values are printed.
TEST(HardeningMessages, AFbnetProxyCacheThatCannotBeWrittenIsAWarning) {
  testing::TempDir dir;
  std::ofstream(dir / "cache") << "a file where the cache folder should be";
  const testing::CliResult r = testing::RunCli(
      {"--cache", (dir / "cache").string(), "--space", "fbnet", "proxies", "--threads", "1", "--json", "--arch",
       "k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-k3_e1-"
       "k3_e1-k3_e1-k3_e1-k3_e1"},
      600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["logsynflow"].get<double>(), 0);
  EXPECT_FALSE(j["cached"].get<bool>());
  EXPECT_EQ(j["cache_file"], "");
  EXPECT_NE(r.err.find("warning: the values are not kept in the cache"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ 23. benchmark names

TEST(HardeningBench, ANameThatWouldBreakTheReportOrSummaryIsRefused) {
  const auto config = [](const std::string& name, const std::string& group, const std::string& device) {
    nlohmann::json j = {{"name", name},
                        {"groups", {{{"name", group}, {"kind", "percentile"}, {"devices", {device}}}}}};
    return j.dump();
  };
  EXPECT_NO_THROW(ParseBenchConfig(config("smoke", "loo-train_2.b+", "table:fpga"), "c.json"));
  for (const std::string& bad : {std::string("a\"b\nc"), std::string("a,b"), std::string("a|b"), std::string("# x"),
                                 std::string("")}) {
    try {
      ParseBenchConfig(config("smoke", bad, "table:fpga"), "c.json");
      ADD_FAILURE() << "group name " << Quoted(bad) << " accepted";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("c.json: groups[0]: name"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ParseBenchConfig(config(bad, "g", "table:fpga"), "c.json"), DataError) << Quoted(bad);
  }
  EXPECT_THROW(ParseBenchConfig(config("smoke", "g", "cmd:x {arch}\n## injected"), "c.json"), DataError);
}

// ------------------------------------------------------------------ 24. lock files

TEST(HardeningLocks, LockFilesAreRemovedWhenReleased) {
  testing::TempDir dir;
  { const FileLock lock(dir / "x.lock", "thing X"); }
  EXPECT_FALSE(fs::exists(dir / "x.lock"));
  // The probe store's run locks: none left after the sessions end.
  const auto script = testing::WriteScript(dir / "dev.sh", "echo 2.0");
  CommandDevice device(CmdSpec(script).substr(4), testing::FixtureSpace());
  ProbeStore store(dir / "p.sqlite");
  for (int run = 0; run < 5; ++run) {
    ProbeSession session(device, testing::FixtureSpace(), 3, &store, "run-" + std::to_string(run));
    session.Probe(ToArch(kCell));
  }
  ASSERT_TRUE(fs::is_directory(dir / "p.sqlite.locks"));
  EXPECT_TRUE(fs::is_empty(dir / "p.sqlite.locks"));
}

// Removing a lock file at release races with a process that opened it just before: such a
// process must never believe it holds the lock while another does. Threads stand in for
// processes (each FileLock opens the file itself, and flock(2) locks belong to the open file).
TEST(HardeningLocks, RemovingLockFilesNeverLetsTwoHoldersOverlap) {
  testing::TempDir dir;
  const fs::path file = dir / "contended.lock";
  std::atomic<int> holders{0}, overlaps{0}, acquired{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int taken = 0; taken < 300;) {
        try {
          const FileLock lock(file, "contended");
          if (holders.fetch_add(1) != 0) overlaps.fetch_add(1);
          std::this_thread::yield();
          holders.fetch_sub(1);
          ++taken;
          acquired.fetch_add(1);
        } catch (const Error& e) {
          if (std::string(e.what()).find("is in use") == std::string::npos) {
            failures.fetch_add(1);  // anything but "held by another": stop
            return;
          }
          std::this_thread::yield();  // held by another thread: try again
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(acquired.load(), 1200);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace simnas
