// FBNet as HW-NAS-Bench defines it for CIFAR-100, as a definition (space/space.h): the 22 layers
// are its positions, the 9 blocks its choices (fbnet_arch.h), HELP's 5,000 sampled networks its
// numbered set, HELP's 23 FBNet tables its data (no accuracy exists), HW-NAS-Bench's network
// its network. Encoding: the generic per-layer "onehot" (alias "layer-onehot"), `skip` each layer's reference block.
#pragma once

#include "simnas/space/space.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

const Space& FbnetSpace();

// The score an FBNet search ranks by without --aggregate: the recipe configs/aggregates.json's
// "_default_fbnet" names (FreeREA's NASWOT + LogSynflow, min-max sum; docs/proxies-fbnet.md).
inline constexpr const char* kFbnetDefaultScoreSource = "fbnet-freerea";

// The handle of an FBNet architecture, and back (Error naming the space of another one).
Arch ToArch(const FbnetArch& arch);
FbnetArch FbnetOf(const Arch& arch);

}  // namespace simnas
