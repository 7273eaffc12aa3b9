// The network FBNet's training-free proxies score (Space::DescribeForProxies): HW-NAS-Bench's
// CIFAR FBNet network for CIFAR-100 (100 classes, 32x32 input) with FreeREA's initialization,
// and the zoo's layer features. docs/proxies-fbnet.md has the formulas and choices.
//
// - Initialization (FreeREA's init_model): Kaiming normal (fan_out, ReLU gain) for every conv
//   and the classifier, classifier bias 0, BatchNorm scale 1 and shift 0; drawn from
//   FbnetProxySeed(seed, arch), so an architecture's values depend on (seed, architecture) only.
// - Layer features: the stem's output and the output of each of the 22 layers, except a `skip`
//   that is the identity (same shape, stride 1): its output is its input, which would count that
//   map twice in expressivity, add a zero step to progressivity and make trainability -inf for
//   most networks. The header (1x1 conv to 1504) is not a layer feature.
#pragma once

#include <cstdint>
#include <vector>

#include "simnas/network/network_description.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

inline constexpr int kFbnetProxyClasses = 100;  // CIFAR-100
inline constexpr int kFbnetProxyInputSize = 32;

// The RNG seed of one network: a hash of the user seed and the 22 blocks.
std::uint64_t FbnetProxySeed(std::uint64_t seed, const FbnetArch& arch);

// DescribeFbnet (CIFAR-100, 32x32) with FreeREA's initialization drawn from FbnetProxySeed(seed, arch).
NetworkDescription DescribeFbnetForProxies(const FbnetArch& arch, std::uint64_t seed);

// The zoo's layer features of an FBNet description (DescribeFbnet's layer names): the index of
// the stem's output, then of each layer's last step, in order, skipping identity `skip` layers
// (they add no step). Throws Error when the description has no stem.
std::vector<int> FbnetZooFeatureLayers(const NetworkDescription& description);

}  // namespace simnas
