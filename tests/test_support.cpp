#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "simnas/core/subprocess.h"

namespace simnas::testing {
namespace fs = std::filesystem;

const BenchmarkData& Data() {
  static const BenchmarkData data(DataDir::Resolve(std::nullopt));
  return data;
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

}  // namespace simnas::testing
