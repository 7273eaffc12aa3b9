#include "simnas/spaces/nb201/cell_structure.h"

namespace simnas {

std::uint8_t LiveEdgeMask(const Cell& cell) {
  // Forward: which nodes carry a signal from the input.
  std::array<bool, kNumNodes> has_signal{};
  has_signal[0] = true;
  for (int e = 0; e < kNumEdges; ++e) {
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    if (cell.op(e) != Op::kNone && has_signal[static_cast<std::size_t>(ends.from)]) {
      has_signal[static_cast<std::size_t>(ends.to)] = true;
    }
  }
  // Backward: which nodes reach the output (node 3) through edges carrying a signal.
  std::array<bool, kNumNodes> used{};
  used[kNumNodes - 1] = true;
  for (int e = kNumEdges - 1; e >= 0; --e) {
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    if (cell.op(e) != Op::kNone && used[static_cast<std::size_t>(ends.to)] &&
        has_signal[static_cast<std::size_t>(ends.from)]) {
      used[static_cast<std::size_t>(ends.from)] = true;
    }
  }
  std::uint8_t mask = 0;
  for (int e = 0; e < kNumEdges; ++e) {
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    if (cell.op(e) != Op::kNone && has_signal[static_cast<std::size_t>(ends.from)] &&
        used[static_cast<std::size_t>(ends.to)] && has_signal[static_cast<std::size_t>(ends.to)]) {
      mask = static_cast<std::uint8_t>(mask | (1u << e));
    }
  }
  return mask;
}

const std::array<std::uint8_t, kNumCells>& LiveEdgeMasks() {
  static const std::array<std::uint8_t, kNumCells> masks = [] {
    std::array<std::uint8_t, kNumCells> m{};
    for (int code = 0; code < kNumCells; ++code) m[static_cast<std::size_t>(code)] = LiveEdgeMask(Cell::FromCode(code));
    return m;
  }();
  return masks;
}

}  // namespace simnas
