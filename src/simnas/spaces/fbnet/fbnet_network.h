// The FBNet network of an architecture (search_space/fbnet/fbnet_arch.h), exactly as
// HW-NAS-Bench builds it for CIFAR (hw_nas_bench_api/fbnet_models/model_infer.py, FBNet_Infer),
// as a NetworkDescription: run it in LibTorch with DescribedNetwork, export it with
// onnx_export.h.
//   stem      3x3 conv 3 -> 16, stride 1, padding 1, BN, ReLU
//   22 layers a block each (FbnetLayerShapes: in/out channels, stride):
//     conv block  1x1 conv in -> in*e (groups g), BN, ReLU, [channel shuffle (g) when g > 1],
//                 depthwise kxk conv (stride s, padding k/2), BN, ReLU,
//                 1x1 conv in*e -> out (groups g), BN; + input when in == out and s == 1
//     skip        identity when in == out and s == 1, else 1x1 conv (stride s), BN, ReLU
//   header    1x1 conv 352 -> 1504, BN, ReLU; global average pool; linear 1504 -> classes
// Convs have no bias. Weights as HW-NAS-Bench initializes them, drawn from a seed: Kaiming
// normal (fan_out) convs, linear N(0, 0.001) with zero bias, batch norms at identity.
#pragma once

#include <cstdint>

#include "simnas/network/network_description.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

struct FbnetNetworkOptions {
  int num_classes = 100;
  int input_size = 32;
  std::uint64_t seed = 0;
  // Batch-norm statistics and affine parameters drawn away from identity (so that a test
  // comparing runtimes exercises the inference form of every batch norm).
  bool random_batch_norms = false;
};

NetworkDescription DescribeFbnet(const FbnetArch& arch, const FbnetNetworkOptions& options = {});

}  // namespace simnas
