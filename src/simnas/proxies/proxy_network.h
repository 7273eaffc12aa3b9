// Internal to the proxies (LibTorch): the network every proxy scores, and the zoo's two
// implementations (zoo.h). Not for use outside src/simnas/proxies/.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "simnas/data/cifar.h"
#include "simnas/data/dataset.h"
#include "simnas/network/described_network.h"
#include "simnas/spaces/nb201/tiny_network.h"
#include "simnas/proxies/zoo.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas::proxy_internal {

// The seed of one network: the user seed, the init number and the cell only.
std::uint64_t NetworkSeed(std::uint64_t seed, int init, const Cell& cell);
// The TinyNetwork of `cell` for `dataset`, FreeREA-initialized from `seed`.
TinyNetwork BuildNetwork(const Cell& cell, Dataset dataset, std::uint64_t seed);

// The zoo's inputs: two mini-batches (normalized images, [m, 3, s, s] each, and int64 labels).
struct ZooBatches {
  std::array<torch::Tensor, 2> images;
  std::array<torch::Tensor, 2> labels;
};

// The layer features (zoo.h: NAS-Bench-201's stem and 17 layers; a described network's are its
// space's ProxyNetwork::feature_layers) and
// the logits of one training-mode forward, in the autograd graph.
struct LayerForward {
  std::vector<torch::Tensor> features;
  torch::Tensor logits;
};

// What the zoo's fast path reads of a network, of any search space.
struct ZooNetwork {
  // The training-mode forward (BatchNorm on the batch's statistics) of a batch, keeping the
  // layer features.
  std::function<LayerForward(const torch::Tensor& x)> run;
  // Every conv and linear weight, in layer order.
  std::vector<torch::Tensor> weights;
};

// Throws ParseError (naming the mask) when `proxies` has bits beyond kAllZooProxies.
void CheckZooMask(ZooMask proxies);

// A DescribedNetwork (network/described_network.h) as a ZooNetwork: its training-mode run (batch
// statistics) keeping the outputs of `feature_layers` (indices into its description) as the
// layer features, in layer order; its conv and linear weights. Shares `net`'s parameters.
ZooNetwork DescribedZooNetwork(DescribedNetwork net, const std::vector<int>& feature_layers);

// The zoo's fast path on any network (zoo.h: formulas and "Contract of a subset"): the asked
// proxies among those that read the network's forward (meco, az_expressivity,
// az_progressivity, jacov, az_trainability, zico, grad_norm, snip); params, flops and
// az_complexity are the given closed-form values; synflow stays NaN (the caller's, from its
// LogSynflow backward). The Rademacher draws come from `seed`. `net` may be null when none of
// the asked proxies reads the network. Values undefined are -inf; values not asked NaN.
// Throws ParseError on bits beyond kAllZooProxies.
ZooValues ZooOnNetwork(const ZooNetwork* net, const ZooBatches& batches, std::uint64_t seed, ZooMask proxies,
                       double params, double flops);

// Checks `threads` (ParseError when negative; 0 leaves the process setting), sets the compute
// threads, and keeps the feature maps of the proxy networks in the heap.
void SetUpProxyThreads(int threads);

// The first `count` images of the CIFAR sample, as floats normalized with CIFAR-10's mean and
// deviation ([count, 3, 32, 32]).
torch::Tensor NormalizedCifar(const ImageSet& set, int count);

// The zoo's two mini-batches of `m` images each: images [0, m) and [m, 2m) of the CIFAR
// sample's first 2m (normalized with CIFAR-10's mean and deviation, downsampled 2x2 when
// `input_size` is 16) and their labels. Throws ParseError unless 2 <= m and 2m <= images.
ZooBatches MakeZooBatches(const ImageSet& set, int m, int input_size);

// The zoo proxies in `proxies` except synflow (the caller's: left NaN like every proxy not
// asked), for the network built with `seed` (zoo.h: "Contract of a subset"). The fast path
// shares one forward of the first mini-batch between MeCo, AZ-NAS, jacov and the first loss
// gradient, and reads GradNorm, SNIP and ZiCo from the same two loss gradients; it runs only the
// passes the asked proxies read; it may change `*net` (memory layout); `net` may be null when
// !ZooNeedsNetwork(proxies & ~synflow). The reference builds a fresh network per proxy and
// computes each one on its own, in double where it reduces. Throw ParseError on bits beyond
// kAllZooProxies.
ZooValues FastZoo(TinyNetworkImpl* net, const Cell& cell, Dataset dataset, const ZooBatches& batches,
                  std::uint64_t seed, ZooMask proxies = kAllZooProxies);
ZooValues ReferenceZoo(const Cell& cell, Dataset dataset, const ZooBatches& batches, std::uint64_t seed,
                       ZooMask proxies = kAllZooProxies);
// Whether any of `proxies` reads the network (all but params, flops and az_complexity).
bool ZooNeedsNetwork(ZooMask proxies);

// Closed-form parameter count and FLOPs of a cell's network (the fast path of params / flops).
double ZooParams(const Cell& cell, Dataset dataset);
double ZooFlops(const Cell& cell, Dataset dataset);

}  // namespace simnas::proxy_internal
