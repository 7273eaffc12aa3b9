// The NAS-Bench-201 / NATS-Bench topology space as a definition (space/space.h): a cell's six
// edges are its positions, the five ops its choices (cell.h), NATS-Bench's numbering of the
// 15,625 cells (HELP's str_arch2idx.pt) its numbered set, HELP's tables and NATS-Bench's
// accuracy (CIFAR-10, CIFAR-100, ImageNet16-120) its data, the TinyNetwork its network.
// Encodings: "op-counts" [1, #skip, #conv1x1, #conv3x3, #avgpool] and the generic per-edge
// "onehot" (alias "edge-onehot"), `none` the reference op.
#pragma once

#include "simnas/space/space.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

const Space& Nb201Space();

// The handle of a cell, and the cell of a handle (Error naming the space of another one).
Arch ToArch(const Cell& cell);
Cell CellOf(const Arch& arch);

}  // namespace simnas
