// Shared helpers for the test suite: the benchmark data, temporary folders, running the CLI.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <optional>

#include "simnas/devices/device_factory.h"
#include "simnas/space/arch.h"
#include "simnas/space/candidates.h"
#include "simnas/space/table_file.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "nb201_benchmark_data.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/strategies/registry.h"

namespace simnas {
// Tests hand cells and FBNet networks (ToArch) or architectures where an Arch is expected: the
// ToArch of an Arch is itself.
inline const Arch& ToArch(const Arch& arch) { return arch; }

// A NAS-Bench-201 table file: checked against `space`'s numbering (space/table_file.h) when
// given, else read as 15,625 slots without an architecture check (a `.pt` list or a CSV).
inline LatencyTable LoadLatencyTable(const std::filesystem::path& path, const SearchSpace* space = nullptr) {
  if (space != nullptr) return LoadTableFile(path, *space);
  if (path.extension() == ".pt") return LoadPickledLatencyTable(path, kNumCells);
  return LoadLatencyCsv(path, kNumCells);
}

// The message of the exception of type E that `f` throws (a test failure, and "", when it throws
// nothing; another type propagates).
template <typename E, typename F>
std::string MessageOf(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception of the expected type";
  return "";
}
}  // namespace simnas

namespace simnas::testing {

// `archs` as candidates of the FBNet space, numbered by position.
inline CandidateSet FbnetCandidates(const std::vector<FbnetArch>& archs) {
  std::vector<Arch> handles;
  for (const FbnetArch& a : archs) handles.push_back(ToArch(a));
  return CandidateSet(FbnetSpace(), std::move(handles), "sampled FBNet networks");
}

// The benchmark data of the build (SIMNAS_DATA, set by CTest to <repo>/data).
const BenchmarkData& Data();
// A file of the repository (its shipped tables, models, configs, docs), by relative path.
std::filesystem::path RepoFile(const std::string& relative);
// The repository's proxy table of `dataset` (tables/proxies/<dataset>.csv).
std::filesystem::path RepoProxyTable(Dataset dataset);
// Proxy tables of the three datasets with deterministic made-up scores (naswot, logsynflow, skip
// and the default recipe's meco) in `dir`, for tests that must not depend on the committed ones.
void WriteMadeUpProxyTables(const std::filesystem::path& dir);
// The repository's controller models and the build's data, as the CLI would hand them down.
StrategyResources RepoStrategyResources();

// What opening a device of NAS-Bench-201 `data` needs, as the workspace gives it (synthetic
// devices drawn from the distribution fitted on `data`'s train tables).
DeviceEnvironment Nb201Devices(const BenchmarkData& data, std::optional<std::filesystem::path> registry = std::nullopt,
                               std::filesystem::path cache_dir = {});

// An untrained FBNet controller (zero weights: every logit 0, so the greedy action is the
// first allowed, the lowest aim) written to `path`, for tests of the FBNet strategies.
void WriteZeroPickerController(const std::filesystem::path& path);

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};
// Runs the simnas binary with `args` (no shell), with the given extra environment.
CliResult RunCli(const std::vector<std::string>& args, double timeout_seconds = 300);

// Writes an executable shell script (for fake device programs).
std::filesystem::path WriteScript(const std::filesystem::path& path, const std::string& body);

// Number of lines in `text`.
int CountLines(const std::string& text);

// A data folder under `root` holding only cifar10-sample/cifar10_sample_640.bin: `images` CIFAR
// records of random pixels (drawn from `seed`), labels 0-9 in turn. Returns the file's path.
std::filesystem::path WriteRandomCifarSample(const std::filesystem::path& root, int images, unsigned seed);

}  // namespace simnas::testing
