// Plugins (core/plugin.h): the runtimes load only when a command uses them. The CLI is run
// with a copy of libsimnas.so in a folder of its own (LD_LIBRARY_PATH), where the plugins are
// missing or broken: what needs no runtime still works, and what needs one ends in one line
// naming the plugin file.
#include <gtest/gtest.h>

#include <fstream>

#include "fixture_data_folder.h"
#include "simnas/core/error.h"
#include "simnas/core/plugin.h"
#include "simnas/core/subprocess.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

// libsimnas.so alone in a fresh folder; the CLI run through it sees no plugin beside it.
class LibraryWithoutPlugins {
 public:
  LibraryWithoutPlugins() {
    fs::copy_file(PluginFolder() / "libsimnas.so", dir_ / "libsimnas.so");
  }
  const fs::path& dir() const { return dir_.path(); }
  testing::CliResult Run(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"/usr/bin/env", "LD_LIBRARY_PATH=" + dir_.path().string(), SIMNAS_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = RunProcess(argv, 120);
    return {r.started && !r.timed_out ? r.exit_code : -1, r.out, r.err};
  }

 private:
  testing::TempDir dir_;
};

std::vector<std::string> WithFixtureData(const testing::TempDir& scratch, std::vector<std::string> args) {
  // The shipped files are the build's (they are found beside libsimnas.so, here a copy).
  std::vector<std::string> all = {"--data", testing::FixtureDataFolder().string(), "--store",
                                  (scratch / "p.sqlite").string(), "--cache", (scratch / "cache").string(),
                                  "--share", (fs::path(SIMNAS_BUILD_DIR) / "share" / "simnas").string()};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

TEST(Plugins, TheBuildsPluginsOpenAndMatchTheLibrarysVersion) {
  for (const char* name : {"torch", "opencv"}) {
    EXPECT_TRUE(fs::is_regular_file(PluginFile(name))) << PluginFile(name);
    using VersionFn = const char* (*)();
    const auto version = reinterpret_cast<VersionFn>(PluginSymbol(name, "simnas_plugin_version"));
    EXPECT_STREQ(version(), SIMNAS_VERSION);
    EXPECT_TRUE(PluginLoaded(name));
  }
}

TEST(Plugins, AnUnknownPluginOrEntryPointIsOneLineNamingTheFile) {
  try {
    PluginSymbol("no_such_runtime", "entry");
    FAIL() << "opened a plugin that does not exist";
  } catch (const PluginError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find((PluginFolder() / "libsimnas_no_such_runtime.so").string() + " is missing"), std::string::npos)
        << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  try {
    PluginSymbol("torch", "simnas_no_such_entry");
    FAIL() << "found an entry point that does not exist";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("has no entry point simnas_no_such_entry"), std::string::npos) << e.what();
  }
}

// The commands that need no runtime run without any plugin file.
TEST(Plugins, CommandsWithoutARuntimeRunWithoutThePlugins) {
  const LibraryWithoutPlugins lib;
  const testing::TempDir scratch;
  const testing::CliResult version = lib.Run({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_NE(version.out.find(std::string("simnas ") + SIMNAS_VERSION), std::string::npos) << version.out;
  const testing::CliResult arch = lib.Run(WithFixtureData(scratch, {"arch", "--index", "0", "--json"}));
  EXPECT_EQ(arch.exit_code, 0) << arch.err;
  EXPECT_NE(arch.out.find("\"index\": 0"), std::string::npos) << arch.out;
  const testing::CliResult search =
      lib.Run(WithFixtureData(scratch, {"search", "--device", "table:fpga", "--budget-ms", "20", "--json"}));
  EXPECT_EQ(search.exit_code, 0) << search.err;
  EXPECT_NE(search.out.find("\"arch\""), std::string::npos) << search.out;
  const testing::CliResult devices = lib.Run(WithFixtureData(scratch, {"devices"}));
  EXPECT_EQ(devices.exit_code, 0) << devices.err;
  EXPECT_NE(devices.out.find("OpenCV"), std::string::npos) << devices.out;
}

// A command that needs LibTorch (a NAS-Bench-201 cell's weights) ends in one line naming the
// missing file, or the loader's reason for a file that is not a library.
TEST(Plugins, AMissingOrBrokenPluginEndsInOneLineNamingTheFile) {
  const LibraryWithoutPlugins lib;
  const testing::TempDir scratch;
  const std::vector<std::string> export_cell =
      WithFixtureData(scratch, {"export", "--index", "0", "--out", (scratch / "cell.onnx").string()});
  const fs::path plugin = lib.dir() / "libsimnas_torch.so";
  testing::CliResult missing = lib.Run(export_cell);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(testing::CountLines(missing.err), 1) << missing.err;
  EXPECT_NE(missing.err.find(plugin.string() + " is missing"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(scratch / "cell.onnx"));
  std::ofstream(plugin) << "not a shared library\n";
  const testing::CliResult broken = lib.Run(export_cell);
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_EQ(testing::CountLines(broken.err), 1) << broken.err;
  EXPECT_NE(broken.err.find(plugin.string() + " cannot be loaded"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace simnas
