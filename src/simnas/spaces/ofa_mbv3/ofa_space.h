// The Once-for-All MobileNet-V3 space (`ofa-mbv3`) as a definition (space/space.h).
//
// Positions and choices: the 46 of the choice vector (ofa_arch.h), in its order:
//   0-4    depth of stage 1-5            {2, 3, 4}
//   5-24   kernel of block slot 0-19      {3, 5, 7}
//   25-44  expansion of block slot 0-19   {3, 4, 6}
//   45     input resolution               {128, 132, ..., 224}
// Canonical form: a slot beyond its stage's depth holds choice 0 (kernel 3, expansion 3), so two
// architectures are equal exactly when they are the same network. RandomArch draws every
// position uniformly, then canonicalizes (Once-for-All's own sampler: depth per stage, then
// kernel and expansion per block); Mutate changes one position the architecture uses (a depth,
// the resolution, or the kernel or expansion of a block within its stage's depth), so a mutant
// always differs from its parent; a block a larger depth brings in starts as k3e3.
//
// Text: OfaArch's (r204_k7e6-k5e4_..., or the data files' {ks, e, d, r} dict). Numbering:
// HELP's 5,000 networks (help-ofa/ofa_archs.pt), `--index N` the N-th. Data: HELP's 12 GPU tables
// (<gpu>_<batch>); test devices titan_rtx_1, titan_rtx_32, titan_rtx_64 and `note10`, the
// Note10 lookup table, a device of the space's own (`table:note10`: the sum of the operators'
// means for any architecture at r = 160 to 224, a one-line DeviceError otherwise). No measured
// accuracy exists: the space's score source "predicted-accuracy" (reports name it "predicted
// accuracy") is Once-for-All's accuracy predictor in percent (its fraction times 100), a
// prediction, never a measurement.
//
// Networks: Once-for-All's w1.2 subnet (ofa_network.h) for ImageNet-1k, each at its own
// resolution unless an input size is given (live devices too: ArchitecturesCarryInputSize).
// Encoding: the generic "onehot"; every position's reference choice is choice 0 (depth 2,
// kernel 3, expansion 3, r = 128), so a slot beyond its stage's depth (held at choice 0) adds
// no feature, and a k3e3 block's cost is in its stage's depth indicators.
#pragma once

#include "simnas/space/space.h"
#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

namespace simnas {

inline constexpr std::string_view kOfaScorePredictedAccuracy = "predicted-accuracy";

const Space& OfaMbv3Space();

// The handle of an OFA architecture, and back (Error naming the space of another one).
Arch ToArch(const OfaArch& arch);
OfaArch OfaOf(const Arch& arch);

}  // namespace simnas
