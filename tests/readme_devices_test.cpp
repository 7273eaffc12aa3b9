// The README's "Your device" section stays true: every `cmd:` line opens as a device, the
// registry example loads with its format and export options, and every tool it names has a
// recorded output that its parser reads (output_formats_test.cpp checks the values).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "simnas/core/file_util.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/device_factory.h"
#include "test_support.h"

namespace simnas {
namespace {

std::string YourDeviceSection() {
  const std::string readme = ReadFile(testing::RepoFile("README.md"));
  const auto begin = readme.find("## Your device");
  EXPECT_NE(begin, std::string::npos);
  const auto end = readme.find("\n## ", begin + 1);
  return readme.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

TEST(ReadmeYourDevice, EveryCmdLineOpensAsADevice) {
  const std::string section = YourDeviceSection();
  const std::regex device(R"(--device "cmd:([^"]+)\")");
  int lines = 0;
  for (std::sregex_iterator it(section.begin(), section.end(), device), end; it != end; ++it) {
    EXPECT_NO_THROW(CommandDevice((*it)[1].str(), testing::Data().space())) << (*it)[1].str();
    ++lines;
  }
  EXPECT_GE(lines, 4);
  for (const char* tool : {"trtexec", "benchmark_app", "benchmark_model", "onnxruntime_perf_test"}) {
    EXPECT_NE(section.find(tool), std::string::npos) << tool;
    const auto sample = std::filesystem::path(SIMNAS_TEST_DIR) / "fixtures" / "tool_outputs" / (std::string(tool) + ".txt");
    ASSERT_TRUE(std::filesystem::exists(sample)) << sample;
    EXPECT_GT(ParseDeviceOutput(ReadFile(sample), ParseOutputFormat(tool)).latency_ms, 0) << tool;
  }
}

TEST(ReadmeYourDevice, RegistryExampleLoads) {
  const std::string section = YourDeviceSection();
  const auto begin = section.find("```json\n");
  ASSERT_NE(begin, std::string::npos);
  const auto end = section.find("```", begin + 8);
  testing::TempDir dir;
  std::ofstream(dir / "devices.json") << section.substr(begin + 8, end - begin - 8);
  const std::vector<RegistryEntry> entries = LoadDeviceRegistry(dir / "devices.json");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].command.format, OutputFormat::kTrtexec);
  EXPECT_EQ(entries[0].command.export_options.num_classes, 100);
}

}  // namespace
}  // namespace simnas
