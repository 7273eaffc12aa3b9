// The house rules of src/simnas/, checked on the source itself: folders include each other in
// one direction only (no cycle of any length between concept folders), and the library never
// reads the process environment or a compiled-in source path (the CLI builds an Environment).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cctype>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"
#include "test_support.h"

namespace simnas {
namespace {
namespace fs = std::filesystem;

struct Source {
  fs::path path;
  std::string text;
};

std::vector<Source> LibrarySources() {
  std::vector<Source> out;
  for (const auto& entry : fs::recursive_directory_iterator(testing::RepoFile("src/simnas"))) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    out.push_back({entry.path(), text.str()});
  }
  return out;
}

std::string FolderOf(const fs::path& file) {
  return fs::relative(file, testing::RepoFile("src/simnas")).begin()->string();
}

// folder -> folders it includes (itself excluded).
std::map<std::string, std::set<std::string>> FolderGraph(const std::vector<Source>& sources) {
  static const std::regex include(R"(#include\s+"simnas/([a-z_0-9]+)/)");
  std::map<std::string, std::set<std::string>> graph;
  for (const Source& s : sources) {
    const std::string from = FolderOf(s.path);
    graph[from];
    for (std::sregex_iterator it(s.text.begin(), s.text.end(), include), end; it != end; ++it) {
      const std::string to = (*it)[1];
      if (to != from) graph[from].insert(to);
    }
  }
  return graph;
}

// One cycle of the graph as "a -> b -> a", or "" when there is none.
std::string FindCycle(const std::map<std::string, std::set<std::string>>& graph) {
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::string cycle;
  const std::function<bool(const std::string&)> visit = [&](const std::string& node) {
    state[node] = 1;
    stack.push_back(node);
    const auto it = graph.find(node);
    if (it != graph.end()) {
      for (const std::string& next : it->second) {
        if (state[next] == 1) {
          auto from = std::find(stack.begin(), stack.end(), next);
          for (; from != stack.end(); ++from) cycle += *from + " -> ";
          cycle += next;
          return true;
        }
        if (state[next] == 0 && visit(next)) return true;
      }
    }
    stack.pop_back();
    state[node] = 2;
    return false;
  };
  for (const auto& [node, edges] : graph) {
    if (state[node] == 0 && visit(node)) return cycle;
  }
  return "";
}

TEST(House, TheCycleFinderFindsACycleOfThreeFolders) {
  EXPECT_EQ(FindCycle({{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}}), "a -> b -> c -> a");
  EXPECT_EQ(FindCycle({{"a", {"b", "c"}}, {"b", {"c"}}, {"c", {}}}), "");
}

TEST(House, LibraryFoldersIncludeEachOtherInOneDirectionOnly) {
  const auto graph = FolderGraph(LibrarySources());
  ASSERT_GE(graph.size(), 10u) << "src/simnas/ should hold the concept folders";
  EXPECT_EQ(FindCycle(graph), "") << "folders of src/simnas include each other in a cycle";
}

TEST(House, LibraryReadsNoEnvironmentVariableAndNoCompiledInPath) {
  static const std::regex forbidden(R"(\b(secure_)?getenv\b|SIMNAS_SOURCE_DIR|SIMNAS_TEST_DIR)");
  std::vector<std::string> offenders;
  const std::vector<Source> sources = LibrarySources();
  ASSERT_FALSE(sources.empty());
  for (const Source& s : sources) {
    if (std::regex_search(s.text, forbidden)) offenders.push_back(s.path.string());
  }
  EXPECT_TRUE(offenders.empty()) << "first offender: " << offenders.front();
}

// --- No layer names a concrete space ------------------------------------------------------
// Outside a space's own folder (src/simnas/spaces/<name>/) and the registry's list
// (spaces/spaces.cpp), code works through the Space interface: the generic layers and the CLI
// name no concrete space. Comments and registrations (RegisterSpace) may.

// The folders checked (under the repository root).
const std::vector<std::string> kSpaceBlindFolders = {
    "src/simnas/strategies", "src/simnas/bench",  "src/simnas/controller", "src/simnas/synthetic",
    "src/simnas/latency_model", "src/simnas/probe", "src/simnas/devices",  "src/cli"};

// What naming a concrete space looks like.
const std::regex kSpaceName(R"(fbnet|Fbnet|FBNet|nb201|Nb201|NB201|kNumCells|ofa_mbv3|OfaMbv3|\bCell\b)");

// `text` without its comments (// to the end of the line, /* ... */), line breaks kept, string
// literals left as they are (a space named in a message counts).
std::string WithoutComments(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false, in_char = false, in_block = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (in_block) {
      if (c == '*' && next == '/') {
        in_block = false;
        ++i;
      } else if (c == '\n') {
        out += c;
      }
      continue;
    }
    if (in_string || in_char) {
      out += c;
      if (c == '\\' && next != '\0') {
        out += next;
        ++i;
      } else if ((in_string && c == '"') || (in_char && c == '\'')) {
        in_string = in_char = false;
      } else if (c == '\n') {
        in_string = in_char = false;  // raw strings spanning lines are not used in these folders
      }
      continue;
    }
    if (c == '/' && next == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      if (i < text.size()) out += '\n';
      continue;
    }
    if (c == '/' && next == '*') {
      in_block = true;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '\'') in_char = i > 0 && !std::isalnum(static_cast<unsigned char>(text[i - 1]));  // not 1'000
    out += c;
  }
  return out;
}

struct SpaceNameHit {
  std::string file;  // relative to the repository
  int line = 0;
  std::string text;
};

std::vector<SpaceNameHit> SpaceNameHits() {
  std::vector<SpaceNameHit> hits;
  const fs::path root = testing::RepoFile("src").parent_path();
  for (const std::string& folder : kSpaceBlindFolders) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".h" || ext == ".cpp")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      std::istringstream lines(WithoutComments(text.str()));
      std::string line;
      for (int n = 1; std::getline(lines, line); ++n) {
        if (line.find("RegisterSpace(") != std::string::npos) continue;  // a registration
        if (std::regex_search(line, kSpaceName)) {
          hits.push_back({fs::relative(file, root).lexically_normal().string(), n, std::string(Trim(line))});
        }
      }
    }
  }
  return hits;
}

TEST(House, CommentsAreStrippedAndStringsKeptWhenLookingForSpaceNames) {
  EXPECT_EQ(WithoutComments("a // fbnet\nb /* nb201\n */ c"), "a \nb \n c");
  EXPECT_EQ(WithoutComments("f(\"// nb201\", '\"', 1'000); // x"), "f(\"// nb201\", '\"', 1'000); ");
  EXPECT_TRUE(std::regex_search(std::string("const Cell& c"), kSpaceName));
  EXPECT_FALSE(std::regex_search(WithoutComments("CellArgs cells;  // one Cell"), kSpaceName));
}

TEST(House, NoGenericLayerOrCommandNamesAConcreteSpace) {
  std::string offenders;
  for (const SpaceNameHit& h : SpaceNameHits()) offenders += fmt::format("\n  {}:{}: {}", h.file, h.line, h.text);
  EXPECT_TRUE(offenders.empty()) << "these lines name a concrete space outside spaces/<name>/ (use the Space "
                                    "interface, space/space.h):"
                                 << offenders;
}

}  // namespace
}  // namespace simnas

namespace simnas {
namespace {

// `cmake --install` lays out a prefix whose binary finds its shipped tables and models from any
// working directory, with nothing of the build or source tree.
TEST(HouseInstall, InstalledBinarySearchesFromAnotherDirectory) {
  const testing::TempDir tmp;
  const fs::path prefix = tmp / "prefix";
  const ProcessResult install =
      RunProcess({SIMNAS_CMAKE_COMMAND, "--install", SIMNAS_BUILD_DIR, "--prefix", prefix.string()}, 300);
  ASSERT_EQ(install.exit_code, 0) << install.err;
  ASSERT_TRUE(fs::exists(prefix / "bin" / "simnas"));
  EXPECT_TRUE(fs::exists(prefix / "share" / "simnas" / "tables" / "proxies" / "nb201" / "cifar100.csv"));
  EXPECT_TRUE(fs::exists(prefix / "share" / "simnas" / "models" / "controller" / "nb201" / "default.ctl"));
  const fs::path elsewhere = tmp / "elsewhere";
  fs::create_directories(elsewhere);
  const ProcessResult search =
      RunProcess({"/bin/sh", "-c",
                  "cd \"$1\" && exec \"$2\" --data \"$3\" --store \"$1/probes.sqlite\" search --device table:pixel3 "
                  "--budget-ms 20 --json",
                  "sh", elsewhere.string(), (prefix / "bin" / "simnas").string(), testing::Data().dir().root().string()},
                 300);
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_NE(search.out.find("\"feasible\": true"), std::string::npos) << search.out;
  // The runtimes' plugins sit beside the installed libsimnas.so; a cell's export opens LibTorch's.
  for (const char* plugin : {"libsimnas.so", "libsimnas_torch.so", "libsimnas_opencv.so"}) {
    EXPECT_TRUE(fs::exists(prefix / SIMNAS_INSTALL_PKGLIBDIR / plugin)) << plugin;
  }
  const ProcessResult exported = RunProcess(
      {(prefix / "bin" / "simnas").string(), "--cache", (tmp / "cache").string(), "export", "--index", "0", "--out",
       (elsewhere / "cell.onnx").string()},
      300);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_GT(fs::file_size(elsewhere / "cell.onnx"), 100000u);
}

}  // namespace
}  // namespace simnas
