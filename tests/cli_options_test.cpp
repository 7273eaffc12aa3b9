// The CLI's shared option groups (src/cli/cli_options.h): --arch/--index resolve to one
// architecture of a space or to one clear error line naming the flag; the recorded command
// line quotes what needs it.
#include <gtest/gtest.h>

#include "cli_options.h"
#include "simnas/core/error.h"
#include "test_support.h"

namespace simnas::cli {
namespace {

// The ParseError message of `f`, or "" when it does not throw one.
template <class F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

const char* kArch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

TEST(CliOptions, ArchOrIndexResolvesToTheCell) {
  const CandidateSet& cells = testing::Data().space_data().Numbering();
  const Space& space = cells.space();
  const auto numbering = [&cells]() -> const CandidateSet& { return cells; };
  ArchArgs by_index;
  by_index.index = 123;
  EXPECT_EQ(ResolveArch(by_index, space, numbering, "measure"), cells.at(123));
  ArchArgs by_arch;
  by_arch.arch = kArch;
  EXPECT_EQ(ResolveArch(by_arch, space, numbering, "measure"), space.Parse(kArch));
  // --arch needs no numbering: the data is not read for it.
  const auto unreadable = []() -> const CandidateSet& { throw DataError("the numbering was read for --arch"); };
  EXPECT_EQ(ResolveArch(by_arch, space, unreadable, "export"), space.Parse(kArch));
}

TEST(CliOptions, NeitherBothOutOfRangeAndMalformedAreOneLineErrorsNamingTheFlag) {
  const CandidateSet& cells = testing::Data().space_data().Numbering();
  const Space& space = cells.space();
  const auto numbering = [&cells]() -> const CandidateSet& { return cells; };
  ArchArgs none;
  EXPECT_EQ(ErrorOf([&] { ResolveArch(none, space, numbering, "measure"); }),
            "simnas measure needs --arch STR or --index N");
  EXPECT_EQ(ErrorOf([&] { RequireArch(none, "export"); }), "simnas export needs --arch STR or --index N");

  ArchArgs both;
  both.arch = kArch;
  both.index = 3;
  EXPECT_NE(ErrorOf([&] { ResolveArch(both, space, numbering, "measure"); }).find("not both"), std::string::npos);

  for (const int index : {-1, cells.size()}) {
    ArchArgs out;
    out.index = index;
    const std::string message = ErrorOf([&] { ResolveArch(out, space, numbering, "arch"); });
    EXPECT_EQ(message.rfind("--index: ", 0), 0u) << message;
    EXPECT_NE(message.find("outside [0, 15624]"), std::string::npos) << message;
  }

  ArchArgs malformed;
  malformed.arch = "|nor_conv_3x3~0|+|none~0|";
  const std::string message = ErrorOf([&] { ResolveArch(malformed, space, numbering, "measure"); });
  EXPECT_EQ(message.rfind("--arch: malformed architecture", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(CliOptions, ArchAndIndexExcludeEachOtherOnTheCommandLine) {
  CLI::App app;
  ArchArgs args;
  AddArchOptions(&app, args);
  EXPECT_THROW(app.parse(std::string("--arch ") + kArch + " --index 3", false), CLI::ExcludesError);
  CLI::App ok;
  ArchArgs parsed;
  AddArchOptions(&ok, parsed);
  ok.parse("--index 7", false);
  ASSERT_TRUE(parsed.index.has_value());
  EXPECT_EQ(*parsed.index, 7);
  EXPECT_FALSE(parsed.arch.has_value());
}

TEST(CliOptions, TheRecordedCommandLineQuotesWhatNeedsIt) {
  EXPECT_EQ(CommandLine(std::vector<std::string>{"search", "--device", "table:pixel3", "--budget-ms", "20"}),
            "simnas search --device table:pixel3 --budget-ms 20");
  EXPECT_EQ(CommandLine(std::vector<std::string>{"measure", "--device", "cmd:./t.sh {arch}", "--arch", kArch, ""}),
            std::string("simnas measure --device 'cmd:./t.sh {arch}' --arch '") + kArch + "' ''");
  // This process's own command line starts with the program's name as "simnas".
  EXPECT_EQ(CommandLine().rfind("simnas", 0), 0u);
}

}  // namespace
}  // namespace simnas::cli
