#include "simnas/spaces/nb201/cell.h"

#include <gtest/gtest.h>

#include <set>

#include "simnas/core/error.h"
#include "test_support.h"

namespace simnas {
namespace {

TEST(Cell, AllCellsRoundTripThroughStringCodeAndIndex) {
  const SearchSpace& space = testing::Data().space();
  std::set<int> indices;
  for (int code = 0; code < kNumCells; ++code) {
    const Cell cell = Cell::FromCode(code);
    const Cell parsed = Cell::Parse(cell.ToString());
    ASSERT_EQ(parsed, cell);
    ASSERT_EQ(Cell::FromCode(cell.Code()), cell);
    const int index = space.IndexOf(cell);
    ASSERT_GE(index, 0);
    ASSERT_LT(index, kNumCells);
    ASSERT_EQ(space.CellAt(index), cell);
    indices.insert(index);
  }
  EXPECT_EQ(indices.size(), static_cast<std::size_t>(kNumCells));
}

TEST(Cell, KnownNatsBenchIndices) {
  const SearchSpace& space = testing::Data().space();
  EXPECT_EQ(space.CellAt(0).ToString(),
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
  EXPECT_EQ(space.IndexOf(Cell::Parse(
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")),
            1);
}

TEST(Cell, RandomIsDeterministicPerSeed) {
  std::mt19937_64 a(42), b(42);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(RandomCell(a), RandomCell(b));
}

TEST(Cell, OpCountsSumToSix) {
  const Cell cell = Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|");
  const auto counts = cell.OpCounts();
  EXPECT_EQ(counts[static_cast<int>(Op::kNone)], 2);
  EXPECT_EQ(counts[static_cast<int>(Op::kSkipConnect)], 1);
  EXPECT_EQ(counts[static_cast<int>(Op::kConv1x1)], 0);
  EXPECT_EQ(counts[static_cast<int>(Op::kConv3x3)], 2);
  EXPECT_EQ(counts[static_cast<int>(Op::kAvgPool3x3)], 1);
}

struct BadArch {
  const char* text;
  const char* must_mention;
};

class MalformedArch : public ::testing::TestWithParam<BadArch> {};

TEST_P(MalformedArch, IsRejectedWithAMessageNamingTheProblem) {
  const BadArch bad = GetParam();
  try {
    Cell::Parse(bad.text);
    FAIL() << "accepted " << bad.text;
  } catch (const ParseError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(bad.must_mention), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message must be one line: " << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cell, MalformedArch,
    ::testing::Values(
        BadArch{"", "expected '|'"},
        BadArch{"|nor_conv_3x3~0|+|none~0|none~1|", "expected '+'"},                                   // 3 edges
        BadArch{"|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|", "not closed"},                    // 5 edges
        BadArch{"|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown operation 'conv_5x5'"},
        BadArch{"|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must come from node 0"},
        BadArch{"|none~0|+|none~0|none~2|+|none~0|none~1|none~2|", "must come from node 1"},
        BadArch{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2| ", "trailing"},
        BadArch{"|none~0|+|none~0|none~1|none~2|+|none~0|none~1|none~2|", "exactly 2 edge"},
        BadArch{"|none0|+|none~0|none~1|+|none~0|none~1|none~2|", "not of the form"},
        BadArch{" |none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "expected '|'"}));

}  // namespace
}  // namespace simnas
