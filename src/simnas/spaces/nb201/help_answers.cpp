#include "simnas/spaces/nb201/help_answers.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace fs = std::filesystem;

std::vector<HelpAnswer> LoadHelpAnswers(const DataDir& dir) {
  const fs::path root = dir.HelpAnswersDir();
  if (!fs::is_directory(root)) throw DataError(fmt::format("{}: no such directory", root.string()));
  static const std::regex name_re(R"(latency_([0-9.]+)ms_accuracy_([0-9.]+)\.txt)");
  std::vector<HelpAnswer> answers;
  for (const auto& device_dir : fs::directory_iterator(root)) {
    if (!device_dir.is_directory()) continue;
    std::string device = device_dir.path().filename().string();
    if (device == "asic-eyeriss") device = "eyeriss";
    for (const auto& file : fs::directory_iterator(device_dir.path())) {
      std::smatch m;
      const std::string fname = file.path().filename().string();
      if (!std::regex_match(fname, m, name_re)) continue;
      const std::string text(Trim(ReadFile(file.path())));
      Cell cell;
      try {
        cell = Cell::Parse(text);
      } catch (const ParseError& e) {
        throw DataError(fmt::format("{}: {}", file.path().string(), e.what()));
      }
      answers.push_back({device, *ParseDouble(m[1].str()), *ParseDouble(m[2].str()), cell});
    }
  }
  std::sort(answers.begin(), answers.end(), [](const HelpAnswer& a, const HelpAnswer& b) {
    return a.device != b.device ? a.device < b.device : a.reported_latency_ms < b.reported_latency_ms;
  });
  return answers;
}

}  // namespace simnas
