#include "simnas/controller/picker_episode.h"
#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "simnas/controller/controller_model.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/core/subprocess.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas::testing {
namespace fs = std::filesystem;

namespace {

// Tests never touch the real home: before any test runs, the XDG folders (where the CLI keeps
// its default probe store, cache and registry) point into a folder of this test process under
// the system temp folder, for this process and every simnas it starts; it is removed when the
// process exits.
const bool kHomeIsolated = [] {
  static const TempDir home;
  setenv("XDG_DATA_HOME", (home.path() / "data").c_str(), 1);
  setenv("XDG_CACHE_HOME", (home.path() / "cache").c_str(), 1);
  setenv("XDG_CONFIG_HOME", (home.path() / "config").c_str(), 1);
  return true;
}();

fs::path DataFolder() {
  const char* env = std::getenv("SIMNAS_DATA");
  return (env != nullptr && *env != '\0') ? fs::path(env) : RepoFile("data");
}

}  // namespace

const BenchmarkData& Data() {
  static const BenchmarkData data{DataDir(DataFolder())};
  return data;
}

fs::path RepoFile(const std::string& relative) { return fs::path(SIMNAS_TEST_DIR).parent_path() / relative; }

fs::path RepoProxyTable(Dataset dataset) { return ProxyTableFile(RepoFile("tables/proxies"), dataset); }

void WriteMadeUpProxyTables(const fs::path& dir) {
  for (const char* ds : {"cifar10", "cifar100", "ImageNet16-120"}) {
    const fs::path file = ProxyTableFile(dir, ParseDataset(ds));
    fs::create_directories(file.parent_path());
    std::ofstream out(file);
    out << "# simnas proxy table v2\nindex,naswot,logsynflow,skip,meco\n";
    for (int i = 0; i < kNumCells; ++i) {
      out << i << "," << (i * 7919 % 1000) << "," << (i % 313) << ",0," << (i * 7919 % 1000) * 0.001 << "\n";
    }
  }
}

StrategyResources RepoStrategyResources() {
  StrategyResources r;
  r.controller_model = ControllerModelFile(RepoFile("models"), "nb201", "default");
  r.unconstrained_controller_model = ControllerModelFile(RepoFile("models"), "nb201", "unconstrained");
  r.picker_controller_model = ControllerModelFile(RepoFile("models"), "fbnet", kPickerProcess);
  return r;
}

DeviceEnvironment Nb201Devices(const BenchmarkData& data, std::optional<fs::path> registry, fs::path cache_dir) {
  DeviceEnvironment env{&data.space_data(), std::move(registry), std::move(cache_dir), {}};
  env.open_synthetic = [&data](const DeviceSpec& spec) -> std::unique_ptr<Device> {
    return OpenSyntheticDevice(data.space_data(), spec);
  };
  return env;
}

void WriteZeroPickerController(const fs::path& path) {
  const PickerEnvConfig config;
  ControllerModel m;
  m.process = kPickerProcess;
  m.process_config = PickerEnvConfigToJson(config);
  DenseLayer layer;
  layer.in = PickerObservationSize(config);
  layer.out = PickerNumActions(config);
  layer.weight.assign(static_cast<std::size_t>(layer.in * layer.out), 0.0f);
  layer.bias.assign(static_cast<std::size_t>(layer.out), 0.0f);
  m.layers = {layer};
  SaveControllerModel(path, m);
}

TempDir::TempDir() {
  std::random_device entropy;
  path_ = fs::temp_directory_path() / fmt::format("simnas-test-{:x}{:x}", entropy(), entropy());
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CliResult RunCli(const std::vector<std::string>& args, double timeout_seconds) {
  std::vector<std::string> argv = {SIMNAS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = RunProcess(argv, timeout_seconds);
  CliResult out{r.started && !r.timed_out ? r.exit_code : -1, r.out, r.err};
  if (r.signal != 0) out.exit_code = 128 + r.signal;
  return out;
}

fs::path WriteScript(const fs::path& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

int CountLines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

std::filesystem::path WriteRandomCifarSample(const std::filesystem::path& root, int images, unsigned seed) {
  const std::filesystem::path file = root / "cifar10-sample" / "cifar10_sample_640.bin";
  std::filesystem::create_directories(file.parent_path());
  std::mt19937 rng(seed);
  std::string bytes;
  for (int i = 0; i < images; ++i) {
    bytes.push_back(static_cast<char>(i % 10));
    for (int p = 0; p < 3 * 32 * 32; ++p) bytes.push_back(static_cast<char>(rng() & 0xff));
  }
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

}  // namespace simnas::testing
