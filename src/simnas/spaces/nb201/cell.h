// The NATS-Bench topology search space (NAS-Bench-201 cell).
//
// A cell is a DAG on 4 nodes; each of its 6 edges (i <- j, j < i) carries one of 5
// operations. The canonical string lists the edges grouped by target node:
//   |op~0|+|op~0|op~1|+|op~0|op~1|op~2|
// for edges 1<-0 | 2<-0 2<-1 | 3<-0 3<-1 3<-2. Cell knows nothing of the benchmark's
// index order; SearchSpace (search_space.h) maps cells to NATS-Bench indices.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace simnas {

// Operations in NATS-Bench order.
enum class Op : std::uint8_t { kNone = 0, kSkipConnect = 1, kConv1x1 = 2, kConv3x3 = 3, kAvgPool3x3 = 4 };

inline constexpr int kNumOps = 5;
inline constexpr int kNumEdges = 6;
inline constexpr int kNumNodes = 4;
inline constexpr int kNumCells = 15625;  // 5^6

// The NATS-Bench name of an op ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3").
std::string_view OpName(Op op);

struct EdgeEnds {
  int to;    // target node i
  int from;  // source node j < i
};
// Edges in canonical order: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
inline constexpr std::array<EdgeEnds, kNumEdges> kEdgeEnds = {
    {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}}};

class Cell {
 public:
  Cell() { ops_.fill(Op::kNone); }
  explicit Cell(const std::array<Op, kNumEdges>& ops) : ops_(ops) {}

  // Parses the canonical string. Throws ParseError naming the offending token (or
  // character) and what was expected there.
  static Cell Parse(std::string_view text);
  // Dense code in [0, 15625): sum of op(e) * 5^e. Not the NATS-Bench index.
  static Cell FromCode(int code);
  int Code() const;

  std::string ToString() const;
  Op op(int edge) const { return ops_[static_cast<std::size_t>(edge)]; }
  const std::array<Op, kNumEdges>& ops() const { return ops_; }
  Cell WithOp(int edge, Op op) const;
  // How many edges carry each op, indexed by Op.
  std::array<int, kNumOps> OpCounts() const;

  auto operator<=>(const Cell&) const = default;

 private:
  std::array<Op, kNumEdges> ops_;
};

// A uniformly random cell.
Cell RandomCell(std::mt19937_64& rng);

}  // namespace simnas
