// MPI (issue 12): `mpirun -np 2 simnas ...` on tiny slices gives what one process gives, a
// killed rank's saved work is not computed again, and failing or mismatched ranks end the job
// with one line naming the cause. Skipped in a build without MPI.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/file_util.h"
#include "simnas/core/subprocess.h"
#include "simnas/parallel/cluster.h"
#include "simnas/probe/probe_store.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/nb201/cell.h"
#include "fixture_data_folder.h"
#include "test_support.h"

extern char** environ;

namespace simnas {
namespace {

namespace fs = std::filesystem;

#define SKIP_WITHOUT_MPI()                                                              \
  if (!MpiBuiltIn() || std::string(SIMNAS_MPIEXEC).empty()) {                           \
    GTEST_SKIP() << "simnas was built without MPI";                                     \
  }                                                                                     \
  if (!std::filesystem::exists(SIMNAS_MPIEXEC)) {                                       \
    GTEST_SKIP() << SIMNAS_MPIEXEC << " is missing (install openmpi-bin)";              \
  }

// mpirun -np N [--allow-run-as-root] simnas ARGS... (Open MPI), on this machine only: shared
// memory between ranks, loopback for mpirun's own traffic (CI machines may have no network).
std::vector<std::string> Mpirun(int ranks, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {SIMNAS_MPIEXEC, "-np", std::to_string(ranks), "--oversubscribe",
                                   "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo"};
  if (::geteuid() == 0) argv.push_back("--allow-run-as-root");
  argv.push_back(SIMNAS_CLI_PATH);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

testing::CliResult RunArgv(const std::vector<std::string>& argv, double timeout = 300) {
  const ProcessResult r = RunProcess(argv, timeout);
  testing::CliResult out{r.started && !r.timed_out ? r.exit_code : -1, r.out, r.err};
  if (r.signal != 0) out.exit_code = 128 + r.signal;
  return out;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The data rows of a table file (no provenance lines).
std::vector<std::string> Rows(const fs::path& table) {
  std::vector<std::string> rows;
  std::ifstream in(table);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') rows.push_back(line);
  }
  return rows;
}

TEST(MpiProxies, TwoRanksWriteTheOneProcessTableRowForRow) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const std::vector<std::string> job = {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "4/1563",
                                        "--threads", "1"};
  std::vector<std::string> one = job, two = job;
  one.insert(one.end(), {"--out", (dir / "one.csv").string()});
  two.insert(two.end(), {"--out", (dir / "two.csv").string()});
  const testing::CliResult a = testing::RunCli(one);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const testing::CliResult b = RunArgv(Mpirun(2, two));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("10 cells, 10 computed now, 0 resumed on 2 ranks"), std::string::npos) << b.err;
  const std::vector<std::string> rows = Rows(dir / "one.csv");
  EXPECT_EQ(rows.size(), 11u);  // header + the 10 cells i % 1563 == 3
  EXPECT_EQ(Rows(dir / "two.csv"), rows);
  // The whole file, provenance included, is the one-process file.
  EXPECT_EQ(Slurp(dir / "two.csv"), Slurp(dir / "one.csv"));
  EXPECT_FALSE(fs::exists(dir / "two.csv.log"));
}

// The pid of the process of rank `rank` started by mpirun `parent`.
pid_t RankPid(pid_t parent, int rank) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  pid_t found = -1;
  while (dirent* e = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string stat_text;
    std::getline(stat, stat_text);
    const auto close = stat_text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat_text.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent) continue;
    const std::string env = Slurp(fmt::format("/proc/{}/environ", pid));
    if (env.find(fmt::format("OMPI_COMM_WORLD_RANK={}", rank) + '\0') != std::string::npos) found = pid;
  }
  ::closedir(proc);
  return found;
}

// Indices saved in a partial table and its log.
std::set<int> SavedIndices(const fs::path& table) {
  std::set<int> saved;
  if (fs::exists(table)) {
    for (const std::string& row : Rows(table)) {
      if (row.rfind("index", 0) != 0) saved.insert(std::stoi(row.substr(0, row.find(','))));
    }
  }
  std::ifstream log(table.string() + ".log");
  for (std::string line; std::getline(log, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    int index = -1;
    std::string a, b, c;
    if (row >> index >> a >> b >> c) saved.insert(index);  // a torn last line has fewer fields
  }
  return saved;
}

TEST(MpiProxies, AKilledRanksSavedWorkIsNotComputedAgain) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const fs::path out = dir / "t.csv";
  const std::vector<std::string> job = {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "2/100",
                                        "--threads", "1", "--out", out.string()};
  std::vector<std::string> args = Mpirun(2, job);
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t mpirun = 0;
  ASSERT_EQ(posix_spawn(&mpirun, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  // Wait for some results, then kill rank 1 outright.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (SavedIndices(out).size() < 8 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const pid_t rank1 = RankPid(mpirun, 1);
  if (rank1 > 0) ::kill(rank1, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(mpirun, &status, 0), mpirun);
  if (rank1 <= 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    GTEST_SKIP() << "the job finished before rank 1 could be killed";
  }
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // the job failed
  const std::set<int> saved = SavedIndices(out);
  ASSERT_GE(saved.size(), 8u);
  ASSERT_LT(saved.size(), 157u);  // indices i % 100 == 1

  // The rerun computes exactly the cells that were not saved.
  const testing::CliResult resumed = RunArgv(Mpirun(2, job));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const std::string expect =
      fmt::format("157 cells, {} computed now, {} resumed on 2 ranks", 157 - saved.size(), saved.size());
  EXPECT_NE(resumed.err.find(expect), std::string::npos) << expect << "\n" << resumed.err;
  const ProxyTable table = LoadPartialProxyTable(out, Dataset::kImageNet16_120);
  int rows = 0;
  for (int i = 1; i < kNumCells; i += 100) rows += std::isnan(table.skip[static_cast<std::size_t>(i)]) ? 0 : 1;
  EXPECT_EQ(rows, 157);
  EXPECT_FALSE(fs::exists(out.string() + ".log"));
}


// summary.csv without its last column (wall time).
std::vector<std::string> SummaryWithoutWallTime(const fs::path& csv) {
  std::vector<std::string> lines;
  std::ifstream in(csv);
  for (std::string line; std::getline(in, line);) lines.push_back(line.substr(0, line.rfind(',')));
  return lines;
}

// Every run by key, without its wall time.
std::map<std::string, nlohmann::json> RunsByKey(const fs::path& runs) {
  std::map<std::string, nlohmann::json> out;
  std::ifstream in(runs);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json row = nlohmann::json::parse(line);
    row.erase("wall_s");
    out[row["key"].get<std::string>()] = row;
  }
  return out;
}

TEST(MpiBench, TwoRanksGiveTheOneProcessSummary) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  testing::WriteMadeUpProxyTables(dir / "proxies");
  std::ofstream(dir / "config.json") << R"({"name": "t", "strategies": ["random", "lut-prior"], "seeds": 2, "groups": [
      {"name": "loo-train", "kind": "percentile", "devices": ["table:pixel3", "table:gold_6240"], "percentiles": [25, 75]},
      {"name": "free", "kind": "unconstrained", "devices": ["table:fpga"]}]})";
  const auto args = [&](const std::string& out) {
    return std::vector<std::string>{"--store", (dir / (out + ".sqlite")).string(), "bench", "--config",
                                    (dir / "config.json").string(), "--out", (dir / out).string(), "--proxy-dir",
                                    (dir / "proxies").string()};
  };
  const testing::CliResult one = testing::RunCli(args("one"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const testing::CliResult two = RunArgv(Mpirun(2, args("two")));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  // 2 devices x 2 budgets x 2 strategies x 2 seeds + 1 x 2 x 2.
  const std::map<std::string, nlohmann::json> runs = RunsByKey(dir / "one" / "runs.jsonl");
  EXPECT_EQ(runs.size(), 20u);
  EXPECT_EQ(RunsByKey(dir / "two" / "runs.jsonl"), runs);
  const std::vector<std::string> summary = SummaryWithoutWallTime(dir / "one" / "summary.csv");
  ASSERT_GT(summary.size(), 1u);
  EXPECT_EQ(SummaryWithoutWallTime(dir / "two" / "summary.csv"), summary);
  EXPECT_TRUE(fs::exists(dir / "two" / "report.md"));

  // Resumable: a rerun over the same folder runs nothing again.
  const testing::CliResult again = RunArgv(Mpirun(2, args("two")));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(testing::CountLines(Slurp(dir / "two" / "runs.jsonl")), 20);
}

// Leave-one-out controllers are trained on the ranks that run their device: the same models and
// runs as one process.
TEST(MpiBench, LeaveOneOutControllersTrainedOnTheRanksMatchOneProcess) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  testing::WriteMadeUpProxyTables(dir / "proxies");
  std::ofstream(dir / "config.json") << R"({"name": "t", "strategies": ["controller"], "seeds": 1, "groups": [
      {"name": "loo-train", "kind": "percentile", "devices": ["table:pixel3", "table:gold_6240"], "percentiles": [50],
       "controller_loo_steps": 8192}]})";
  const auto args = [&](const std::string& out) {
    return std::vector<std::string>{"--store", (dir / (out + ".sqlite")).string(), "bench", "--config",
                                    (dir / "config.json").string(), "--out", (dir / out).string(), "--proxy-dir",
                                    (dir / "proxies").string()};
  };
  const testing::CliResult one = testing::RunCli(args("one"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const testing::CliResult two = RunArgv(Mpirun(2, args("two")));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const std::map<std::string, nlohmann::json> runs = RunsByKey(dir / "one" / "runs.jsonl");
  EXPECT_EQ(runs.size(), 2u);
  EXPECT_EQ(RunsByKey(dir / "two" / "runs.jsonl"), runs);
  for (const char* device : {"pixel3", "gold_6240"}) {
    const fs::path model = fs::path("controllers") / device / "controller.ctl";
    ASSERT_TRUE(fs::exists(dir / "two" / model)) << device;
    EXPECT_EQ(Slurp(dir / "two" / model), Slurp(dir / "one" / model)) << device;
  }
}

// A device farm: two live devices on two ranks, every measurement in the probe store.
TEST(MpiMeasureAll, TwoDevicesOnTwoRanksGoToTheProbeStore) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const std::string a = "cmd:'" + testing::WriteScript(dir / "a.sh", "echo 1.5").string() + "' {arch}";
  const std::string b = "cmd:'" + testing::WriteScript(dir / "b.sh", "echo 2.5").string() + "' {arch}";
  const std::string store = (dir / "p.sqlite").string();
  const testing::CliResult r =
      RunArgv(Mpirun(2, {"--store", store, "measure-all", "--device", a, "--device", b, "--sample", "6",
                         "--out-dir", dir.path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int wrote = 0;
  for (auto at = r.err.find("wrote "); at != std::string::npos; at = r.err.find("wrote ", at + 1)) ++wrote;
  EXPECT_EQ(wrote, 2) << r.err;  // rank 0 reports both devices
  ProbeStore s(store);
  EXPECT_EQ(s.LoadDevice(a, "nb201").size(), 6u);
  EXPECT_EQ(s.LoadDevice(b, "nb201").size(), 6u);
  int tables = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    tables += entry.path().filename().string().rfind("measured-cmd", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(tables, 2);
}

TEST(MpiErrors, RanksWithDifferentCommandsAreRefusedAtStart) {
  SKIP_WITHOUT_MPI();
  std::vector<std::string> argv = Mpirun(1, {"arch", "--index", "1"});
  argv.insert(argv.end(), {":", "-np", "1", SIMNAS_CLI_PATH, "arch", "--index", "2"});
  const testing::CliResult r = RunArgv(argv, 120);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("simnas: error: ranks disagree on the command line: rank 0 has 'arch --index 1', rank 1 "
                       "has 'arch --index 2'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");  // nothing ran
}

TEST(MpiErrors, OneProcessCommandsAreRefusedOnSeveralRanks) {
  SKIP_WITHOUT_MPI();
  const testing::CliResult r = RunArgv(Mpirun(2, {"proxies", "--index", "1"}), 120);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("simnas: error: simnas proxies runs in one process; under mpirun only proxies --all, bench and "
                       "measure-all spread over ranks"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");  // nothing ran
}

// Rank 1 reads other CIFAR sample images (its data folder differs in that one file): refused
// before any cell is computed.
TEST(MpiErrors, RanksWithOtherInputFilesAreRefusedAtStart) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const fs::path data = testing::Data().dir().root();
  const fs::path other = dir / "data";
  fs::create_directories(other / "cifar10-sample");
  for (const char* sub : {"help-nasbench201", "nats-bench-accuracy"}) fs::create_directory_symlink(data / sub, other / sub);
  std::string images = Slurp(data / "cifar10-sample" / "cifar10_sample_640.bin");
  images[100] = static_cast<char>(images[100] ^ 1);
  std::ofstream(other / "cifar10-sample" / "cifar10_sample_640.bin", std::ios::binary) << images;
  const std::vector<std::string> job = {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "4/1563",
                                        "--threads", "1", "--out", (dir / "t.csv").string()};
  std::vector<std::string> argv = Mpirun(1, job);
  std::vector<std::string> second = {":", "-np", "1", "-x", "SIMNAS_DATA=" + other.string(), SIMNAS_CLI_PATH};
  second.insert(second.end(), job.begin(), job.end());
  argv.insert(argv.end(), second.begin(), second.end());
  const testing::CliResult r = RunArgv(argv, 120);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("simnas: error: ranks disagree on the CIFAR sample images"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "t.csv"));
  EXPECT_FALSE(fs::exists(dir / "t.csv.log"));
}

TEST(MpiErrors, AFailingRankNamesItselfAndEndsTheJob) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const std::vector<std::string> job = {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "4/1563",
                                        "--threads", "1", "--out", (dir / "t.csv").string()};
  // Rank 1 has no data folder.
  std::vector<std::string> argv = Mpirun(1, job);
  std::vector<std::string> second = {":", "-np", "1", "-x", "SIMNAS_DATA=" + (dir / "nowhere").string(),
                                     SIMNAS_CLI_PATH};
  second.insert(second.end(), job.begin(), job.end());
  argv.insert(argv.end(), second.begin(), second.end());
  const testing::CliResult r = RunArgv(argv, 120);
  EXPECT_NE(r.exit_code, 0);
  const std::regex line("simnas: error: rank 1 of 2 on [^:]+: [^\n]*nowhere[^\n]*\n");
  EXPECT_TRUE(std::regex_search(r.err, line)) << r.err;
  EXPECT_FALSE(fs::exists(dir / "t.csv"));
}

// A long command line that differs in one flag's value: the refusal names the flag.
TEST(MpiErrors, RanksWithDifferentLongCommandLinesNameTheDifferingFlag) {
  SKIP_WITHOUT_MPI();
  const std::vector<std::string> common = {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "4/1563",
                                           "--threads", "1", "--out", "/nonexistent/folder/of/a/long/path/t.csv"};
  std::vector<std::string> argv = Mpirun(1, common);
  argv.insert(argv.end(), {"--seed", "3", ":", "-np", "1", SIMNAS_CLI_PATH});
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), {"--seed", "4"});
  const testing::CliResult r = RunArgv(argv, 120);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("simnas: error: ranks disagree on the command line: rank 0 has '...--seed 3', rank 1 has "
                       "'...--seed 4' (first difference at character "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("bytes)"), std::string::npos) << r.err;
}

// Rank 1 killed while both ranks measure: rank 0 says it was stopped by mpirun's SIGTERM, not
// that the user interrupted it.
TEST(MpiErrors, WhenARankIsKilledRankZeroSaysMpirunStoppedIt) {
  SKIP_WITHOUT_MPI();
  testing::TempDir dir;
  const auto device = [&](const std::string& name) {
    const fs::path pid = dir / (name + ".pid");
    return "cmd:'" +
           testing::WriteScript(dir / (name + ".sh"), "echo $PPID > '" + pid.string() + ".tmp'; mv '" + pid.string() +
                                                          ".tmp' '" + pid.string() + "'; sleep 0.2; echo 2.5")
               .string() +
           "' {arch}";
  };
  std::vector<std::string> args = Mpirun(2, {"--data", testing::FixtureDataFolder().string(), "--store",
                                             (dir / "p.sqlite").string(), "measure-all", "--device", device("a"),
                                             "--device", device("b"), "--sample", "1000", "--out-dir",
                                             dir.path().string()});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const fs::path err = dir / "mpirun.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t mpirun = 0;
  ASSERT_EQ(posix_spawn(&mpirun, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!(fs::exists(dir / "a.pid") && fs::exists(dir / "b.pid")) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const pid_t rank1 = RankPid(mpirun, 1);
  ASSERT_GT(rank1, 0) << Slurp(err);
  ::kill(rank1, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(mpirun, &status, 0), mpirun);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::string text = Slurp(err);
  EXPECT_NE(text.find("simnas: rank 0 of 2"), std::string::npos) << text;
  EXPECT_NE(text.find("stopped by SIGTERM: mpirun sends it to every rank when one rank ended early"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace simnas
