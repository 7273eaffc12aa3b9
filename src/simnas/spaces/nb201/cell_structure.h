// Structural facts about a cell that a compiler can see: which edges do real work.
//
// In a NAS-Bench-201 cell, node i = sum over j < i of op(i<-j)(node j) and the output is
// node 3. An edge is *live* when it is not `none`, its source node carries a signal (node 0
// always does; node j > 0 does when one of its incoming edges is live) and its target node
// reaches the output through live edges. A graph compiler that removes dead code (outputs
// nobody uses, inputs that are structurally zero) runs only the live edges. Treating a
// structurally zero input as removable is a modelling choice for synthetic devices: a
// ReLU-Conv-BN of zeros is a constant, which such a compiler folds away.
#pragma once

#include <array>
#include <cstdint>

#include "simnas/spaces/nb201/cell.h"

namespace simnas {

// Bit e set when edge e (canonical order) is live.
std::uint8_t LiveEdgeMask(const Cell& cell);
// LiveEdgeMask of every cell, indexed by Cell::Code() (computed once, thread-safe).
const std::array<std::uint8_t, kNumCells>& LiveEdgeMasks();

}  // namespace simnas
