// The network of an OFA MobileNet-V3 architecture (ofa_arch.h), exactly as Once-for-All builds
// the subnet of ofa_mbv3_d234_e346_k357_w1.2 (width 1.2), as a NetworkDescription: run it in
// LibTorch with DescribedNetwork, export it with onnx_export.h.
//   stem         3x3 conv 3 -> 24, stride 2, BN, h-swish
//   first block  depthwise 3x3 conv (24), BN, ReLU; 1x1 conv 24 -> 24, BN; + input
//   5 stages     output widths 32 48 96 136 192, strides 2 2 2 1 2 (on a stage's first block),
//                activations relu relu h-swish h-swish h-swish, squeeze-and-excitation in
//                stages 2, 4 and 5; each of the stage's `depth` MBConv blocks:
//                  1x1 conv in -> mid, BN, act      mid = make_divisible(in * expansion, 8)
//                  depthwise kxk conv (stride, padding k/2), BN, act
//                  [SE: global average pool, 1x1 conv mid -> se (bias), ReLU,
//                       1x1 conv se -> mid (bias), h-sigmoid, times the block's features]
//                                                   se = make_divisible(mid / 4, 8)
//                  1x1 conv mid -> out, BN; + input on every block but a stage's first
//   head         1x1 conv 192 -> 1152, BN, h-swish; global average pool;
//                1x1 conv 1152 -> 1536 (no bias, no BN), h-swish; linear 1536 -> classes
// Convs have no bias except the SE's. make_divisible(v, 8) rounds to the nearest multiple of 8,
// at least 8 and never below 90 % of v. Weights as Once-for-All initializes them ('he_fout'),
// drawn from a seed: convs normal(0, sqrt(2 / (k * k * out))) with zero bias, batch norms at
// identity, the linear layer uniform(+-1 / sqrt(in)) with zero bias.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "simnas/network/network_description.h"
#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

namespace simnas {

// The fixed part of the network (above), shared with the Note10 lookup table's operator keys.
struct OfaStage {
  int width;            // output channels of every block
  int stride;           // of the stage's first block
  bool hard_swish;      // h-swish (else ReLU) in the expand and depthwise convs
  bool squeeze_excite;  // SE after the depthwise conv
};
inline constexpr std::array<OfaStage, kOfaNumStages> kOfaStages = {{
    {32, 2, false, false},
    {48, 2, false, true},
    {96, 2, true, false},
    {136, 1, true, true},
    {192, 2, true, true},
}};
inline constexpr int kOfaStemChannels = 24;
inline constexpr int kOfaFinalExpandChannels = 1152;
inline constexpr int kOfaFeatureMixChannels = 1536;

struct OfaNetworkOptions {
  int num_classes = 1000;
  // The input is input_size x input_size; 0 means the architecture's own resolution.
  int input_size = 0;
  std::uint64_t seed = 0;
  // Batch-norm statistics and affine parameters, and the conv biases, drawn away from their
  // initial values (so that a test comparing runtimes exercises every one of them).
  bool random_batch_norms = false;
  // The classifier drawn as FreeREA initializes it (Kaiming normal fan_out: normal(0,
  // sqrt(2 / classes)), bias 0) instead of Once-for-All's uniform: the training-free proxies'
  // network (every conv is already Kaiming normal fan_out, every batch norm at identity).
  bool proxy_classifier = false;
};

// Once-for-All's channel rounding (see above).
int OfaMakeDivisible(double value, int divisor = 8);

NetworkDescription DescribeOfaMbv3(const OfaArch& arch, const OfaNetworkOptions& options = {});

// The zoo's layer features of a DescribeOfaMbv3 description (its layer names): the stem's output,
// the first block's, then every MBConv block's output (after its residual, if any), in order. The
// head is not a layer feature. Throws Error when the description has no stem.
std::vector<int> OfaZooFeatureLayers(const NetworkDescription& description);

}  // namespace simnas
