// A LibTorch module that runs any NetworkDescription (network_description.h) layer by layer,
// with the description's weights: the LibTorch side of the one description the ONNX exporter
// also reads, so a second search space (FBNet's blocks) describes its networks once and runs
// them in LibTorch and in every ONNX runtime. (NAS-Bench-201's TinyNetwork keeps its own
// modules, which the proxy tables were computed with; DescribeNetwork turns it into a
// description, and the tests check that this module computes the same logits.)
#pragma once

#include <torch/torch.h>

#include "simnas/network/network_description.h"

namespace simnas {

class DescribedNetworkImpl : public torch::nn::Module {
 public:
  explicit DescribedNetworkImpl(const NetworkDescription& description);
  // The output of the description's last layer for a batch (B x C x H x W input); a linear
  // layer's output is B x out.
  torch::Tensor forward(const torch::Tensor& x);

 private:
  struct Step {
    LayerKind kind;
    std::vector<int> inputs;
    int kernel, stride, padding, groups;
    bool count_include_pad;
    double eps;
    torch::Tensor weight, bias, scale, mean, var;
  };
  std::vector<Step> steps_;
};
TORCH_MODULE(DescribedNetwork);

}  // namespace simnas
