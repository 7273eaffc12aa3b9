// The README and the guide (docs/) stay true to the code and to each other: the README stays a
// short front door whose results are the committed report's figures; every relative link of
// README.md and docs/*.md reaches a file (and a heading, when it names one); the CLI reference
// names only flags its commands have; the device examples open as devices, the registry example
// loads, and every timing tool named has a recorded output that its parser reads
// (output_formats_test.cpp checks the values). The README's Python example runs in
// python/tests/test_readme.py.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_data.h"
#include "simnas/core/file_util.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/device_factory.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return lines;
}

bool IsFence(const std::string& line) { return line.rfind("```", 0) == 0; }

// The level of a Markdown heading line ("## x" -> 2), 0 for any other line.
int HeadingLevel(const std::string& line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == '#') ++n;
  return n >= 1 && n <= 6 && n < line.size() && line[n] == ' ' ? static_cast<int>(n) : 0;
}

// The section of `markdown` under the heading line `heading` (exactly), up to the next heading
// of the same or a higher level; lines inside code blocks are never headings. Empty when absent.
std::string Section(const std::string& markdown, const std::string& heading) {
  std::string out;
  bool in_fence = false;
  int level = 0;
  for (const std::string& line : Lines(markdown)) {
    const bool heading_line = !in_fence && HeadingLevel(line) > 0;
    if (IsFence(line)) in_fence = !in_fence;
    if (level == 0) {
      if (heading_line && line == heading) {
        level = HeadingLevel(line);
        out = line + "\n";
      }
      continue;
    }
    if (heading_line && HeadingLevel(line) <= level) break;
    out += line + "\n";
  }
  return out;
}

// The sections whose heading line starts with `prefix`, by heading.
std::map<std::string, std::string> SectionsStartingWith(const std::string& markdown, const std::string& prefix) {
  std::map<std::string, std::string> sections;
  bool in_fence = false;
  for (const std::string& line : Lines(markdown)) {
    if (!in_fence && HeadingLevel(line) > 0 && line.rfind(prefix, 0) == 0) sections[line] = Section(markdown, line);
    if (IsFence(line)) in_fence = !in_fence;
  }
  return sections;
}

// The cells of a Markdown table row ("| a | b |" -> {"a", "b"}), trimmed.
std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|' && row[i - 1] != '\\') {
      const auto b = cell.find_first_not_of(' ');
      const auto e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

// The rows (cells) of the first table in `section`, header and separator left out.
std::vector<std::vector<std::string>> FirstTable(const std::string& section) {
  std::vector<std::vector<std::string>> rows;
  bool started = false;
  for (const std::string& line : Lines(section)) {
    if (line.rfind("|", 0) == 0) {
      started = true;
      rows.push_back(Cells(line));
    } else if (started) {
      break;
    }
  }
  if (rows.size() >= 2) rows.erase(rows.begin(), rows.begin() + 2);
  return rows;
}

// GitHub's anchor of a heading: lower case, spaces to '-', other punctuation (and any non-ASCII
// byte) dropped.
std::string Slug(const std::string& heading_text) {
  std::string slug;
  for (unsigned char c : heading_text) {
    if (std::isalnum(c) && c < 0x80) {
      slug += static_cast<char>(std::tolower(c));
    } else if (c == '-' || c == '_') {
      slug += static_cast<char>(c);
    } else if (c == ' ') {
      slug += '-';
    }
  }
  return slug;
}

// Every heading anchor of a Markdown file, repeated headings numbered as GitHub numbers them.
std::set<std::string> Anchors(const std::string& markdown) {
  std::set<std::string> anchors;
  std::map<std::string, int> seen;
  bool in_fence = false;
  for (const std::string& line : Lines(markdown)) {
    if (IsFence(line)) in_fence = !in_fence;
    const int level = in_fence ? 0 : HeadingLevel(line);
    if (level == 0) continue;
    const std::string slug = Slug(line.substr(static_cast<std::size_t>(level) + 1));
    const int n = seen[slug]++;
    anchors.insert(n == 0 ? slug : slug + "-" + std::to_string(n));
  }
  return anchors;
}

// The link targets of a Markdown file: [text](target) and ![alt](target), outside code blocks
// and code spans.
std::vector<std::string> LinkTargets(const std::string& markdown) {
  static const std::regex link(R"(\]\(([^()\s]+)\))");
  std::vector<std::string> targets;
  bool in_fence = false;
  for (const std::string& line : Lines(markdown)) {
    if (IsFence(line)) {
      in_fence = !in_fence;
      continue;
    }
    if (in_fence) continue;
    std::string text;
    bool in_code = false;
    for (char c : line) {
      if (c == '`') in_code = !in_code;
      else if (!in_code) text += c;
    }
    for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it) {
      targets.push_back((*it)[1].str());
    }
  }
  return targets;
}

std::vector<fs::path> GuideFiles() {
  std::vector<fs::path> files = {testing::RepoFile("README.md")};
  for (const auto& entry : fs::directory_iterator(testing::RepoFile("docs"))) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  }
  return files;
}

TEST(Readme, IsAFrontDoorOfAtMost200Lines) {
  const std::string readme = ReadFile(testing::RepoFile("README.md"));
  EXPECT_LE(testing::CountLines(readme), 200);
  for (const char* section : {"## Quick start on a fresh Debian 12 machine", "## The CLI", "## Python", "## Your device",
                              "## Results", "## The guide"}) {
    EXPECT_FALSE(Section(readme, section).empty()) << section;
  }
  // The two commands, as run.sh and CI run them.
  EXPECT_NE(readme.find("./run.sh search"), std::string::npos);
  EXPECT_NE(readme.find("./run.sh test"), std::string::npos);
  EXPECT_NE(ReadFile(testing::RepoFile(".ci/run")).find("./run.sh test"), std::string::npos);
  EXPECT_NE(readme.find("(docs/index.md)"), std::string::npos);
}

// The README's results table holds the committed report's figures (docs/benchmark.md, written
// by `simnas bench`): leave-one-device-out (group loo-train) and HELP's table (group help).
TEST(Readme, ResultsAreTheCommittedReportsFigures) {
  const std::string readme = ReadFile(testing::RepoFile("README.md"));
  const std::string report = ReadFile(testing::RepoFile("docs/benchmark.md"));
  const auto loo = SectionsStartingWith(report, "## loo-train ");
  const auto help = SectionsStartingWith(report, "## help ");
  ASSERT_EQ(loo.size(), 1u);
  ASSERT_EQ(help.size(), 1u);
  const auto loo_rows = FirstTable(loo.begin()->second);
  const auto help_rows = FirstTable(help.begin()->second);
  const auto rows = FirstTable(Section(readme, "## Results"));
  ASSERT_GE(rows.size(), 6u);
  const auto find = [](const std::vector<std::vector<std::string>>& table, const std::string& name) {
    for (const auto& row : table) {
      if (!row.empty() && (row[0] == name || row[0].rfind(name + " ", 0) == 0)) return row;
    }
    return std::vector<std::string>{};
  };
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 5u);
    std::string name = std::regex_replace(row[0], std::regex(R"(\*)"), "");
    name = name.substr(0, name.find(' '));
    const auto in_loo = find(loo_rows, name);
    const auto in_help = find(help_rows, name);
    ASSERT_GE(in_loo.size(), 4u) << name << " has no row in the report's loo-train table";
    ASSERT_GE(in_help.size(), 4u) << name << " has no row in the report's help table";
    EXPECT_EQ(row[1], in_loo[2]) << name << ": leave-one-out violations";
    EXPECT_EQ(row[2], in_loo[3]) << name << ": leave-one-out accuracy";
    EXPECT_EQ(row[3], in_help[2]) << name << ": HELP violations";
    EXPECT_EQ(row[4], in_help[3]) << name << ": HELP accuracy";
  }
}

TEST(DocsLinks, EveryRelativeLinkReachesAFileAndItsHeading) {
  int checked = 0;
  for (const fs::path& file : GuideFiles()) {
    const std::string text = ReadFile(file);
    for (const std::string& target : LinkTargets(text)) {
      if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 || target.rfind("mailto:", 0) == 0) {
        continue;
      }
      ++checked;
      const std::size_t hash = target.find('#');
      const std::string path = target.substr(0, hash);
      const fs::path resolved = path.empty() ? file : file.parent_path() / path;
      if (!fs::exists(resolved)) {
        ADD_FAILURE() << file.filename() << ": link " << target << " reaches no file";
        continue;
      }
      if (hash != std::string::npos && resolved.extension() == ".md") {
        const std::string anchor = target.substr(hash + 1);
        EXPECT_EQ(Anchors(ReadFile(resolved)).count(anchor), 1u)
            << file.filename() << ": link " << target << " names no heading of " << resolved.filename();
      }
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(DocsLinks, TheIndexLinksEveryPageOfTheGuide) {
  const std::string index = ReadFile(testing::RepoFile("docs/index.md"));
  std::set<std::string> linked;
  for (const std::string& target : LinkTargets(index)) linked.insert(target.substr(0, target.find('#')));
  for (const fs::path& file : GuideFiles()) {
    const std::string name = file.filename().string();
    if (file.parent_path().filename() != "docs" || name == "index.md") continue;
    EXPECT_EQ(linked.count(name), 1u) << "docs/index.md does not link " << name;
  }
}

// The flags --help prints ("--budget-ms FLOAT:POSITIVE ..." -> "--budget-ms").
std::set<std::string> FlagsIn(const std::string& text) {
  static const std::regex flag(R"((^|[^\w-])(--[a-z][a-z0-9-]*))");
  std::set<std::string> flags;
  for (std::sregex_iterator it(text.begin(), text.end(), flag), end; it != end; ++it) flags.insert((*it)[2].str());
  return flags;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TEST(CliReference, EverySectionNamesOnlyFlagsItsCommandHas) {
  const auto global = testing::RunCli({"--help"});
  ASSERT_EQ(global.exit_code, 0) << global.err;
  const std::set<std::string> global_flags = FlagsIn(global.out);
  ASSERT_TRUE(global_flags.count("--space") && global_flags.count("--store")) << global.out;
  const auto sections = SectionsStartingWith(ReadFile(testing::RepoFile("docs/cli.md")), "## `simnas ");
  ASSERT_GE(sections.size(), 15u);
  for (const auto& [heading, text] : sections) {
    const std::string command = heading.substr(std::string("## `simnas ").size(),
                                               heading.size() - std::string("## `simnas ").size() - 1);
    std::vector<std::string> args = Words(command);
    args.push_back("--help");
    const auto help = testing::RunCli(args);
    ASSERT_EQ(help.exit_code, 0) << command << ": " << help.err;
    const std::set<std::string> own = FlagsIn(help.out);
    for (const std::string& flag : FlagsIn(text)) {
      EXPECT_TRUE(own.count(flag) || global_flags.count(flag))
          << "docs/cli.md, `simnas " << command << "`: " << flag << " is not a flag of the command";
    }
  }
}

TEST(CliReference, EverySubcommandHasASection) {
  const auto global = testing::RunCli({"--help"});
  ASSERT_EQ(global.exit_code, 0) << global.err;
  const std::string cli = ReadFile(testing::RepoFile("docs/cli.md"));
  const std::size_t list = global.out.find("Subcommands:");
  ASSERT_NE(list, std::string::npos) << global.out;
  int subcommands = 0;
  for (const std::string& line : Lines(global.out.substr(list))) {
    if (line.rfind("  ", 0) != 0) continue;
    const std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    ++subcommands;
    EXPECT_TRUE(cli.find("## `simnas " + words[0] + "`") != std::string::npos ||
                cli.find("## `simnas " + words[0] + " ") != std::string::npos)
        << "docs/cli.md has no section for `simnas " << words[0] << "`";
  }
  EXPECT_GE(subcommands, 13);
}

// The `--device "cmd:..."` specs of a text: each opens as a device.
int ExpectEveryCmdSpecOpens(const std::string& text, const std::string& where) {
  const std::regex device(R"(--device "cmd:([^"]+)\")");
  int specs = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), device), end; it != end; ++it) {
    EXPECT_NO_THROW(CommandDevice((*it)[1].str(), testing::FixtureSpace())) << where << ": " << (*it)[1].str();
    ++specs;
  }
  return specs;
}

TEST(Readme, YourDeviceExampleOpensAsADevice) {
  const std::string section = Section(ReadFile(testing::RepoFile("README.md")), "## Your device");
  EXPECT_GE(ExpectEveryCmdSpecOpens(section, "README.md"), 1);
}

std::string YourDeviceGuide() {
  const std::string section = Section(ReadFile(testing::RepoFile("docs/devices.md")), "## Your device");
  EXPECT_FALSE(section.empty()) << "docs/devices.md has no section \"## Your device\"";
  return section;
}

TEST(DocsYourDevice, EveryCmdLineOpensAsADeviceAndEveryToolHasARecordedOutput) {
  const std::string section = YourDeviceGuide();
  EXPECT_GE(ExpectEveryCmdSpecOpens(section, "docs/devices.md"), 4);
  for (const char* tool : {"trtexec", "benchmark_app", "benchmark_model", "onnxruntime_perf_test"}) {
    EXPECT_NE(section.find(tool), std::string::npos) << tool;
    const auto sample = fs::path(SIMNAS_TEST_DIR) / "fixtures" / "tool_outputs" / (std::string(tool) + ".txt");
    ASSERT_TRUE(fs::exists(sample)) << sample;
    EXPECT_GT(ParseDeviceOutput(ReadFile(sample), ParseOutputFormat(tool)).latency_ms, 0) << tool;
  }
}

TEST(DocsYourDevice, RegistryExampleLoads) {
  const std::string section = YourDeviceGuide();
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
