// The fixed network the live devices time between blocks of a measurement to gauge the
// machine's speed (timing_harness.h): small (well under a millisecond on one core), the same for
// every search space, and built from the runtime-free description (network/) so that LibTorch
// (`local`) and OpenCV (`opencv`) run the same network.
#pragma once

#include "simnas/network/network_description.h"

namespace simnas {

// 3x3 conv 3 -> 16, BN, ReLU, 3x3 conv 16 -> 16, BN, ReLU, global average pool, linear to
// `num_classes`; weights drawn from a fixed seed. `input_size` pixels per side.
NetworkDescription ReferenceNetworkDescription(int num_classes, int input_size);

// Bumped whenever the reference network changes: a remembered quiet speed of another version
// is not compared with this one.
inline constexpr const char* kReferenceNetworkVersion = "ref2";

}  // namespace simnas
