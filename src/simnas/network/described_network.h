// A LibTorch module that runs any NetworkDescription (network_description.h) layer by layer,
// with the description's weights: the LibTorch side of the one description the ONNX exporter
// also reads, so a second search space (FBNet's blocks) describes its networks once and runs
// them in LibTorch and in every ONNX runtime. (NAS-Bench-201's TinyNetwork keeps its own
// modules, which the proxy tables were computed with; DescribeNetwork turns it into a
// description, and the tests check that this module computes the same logits.)
#pragma once

#include <functional>
#include <vector>

#include <torch/torch.h>

#include "simnas/network/network_description.h"

namespace simnas {

// How DescribedNetworkImpl::Run runs the layers (the default is forward()'s inference form):
// what the training-free proxies need (proxies/described_proxies.h).
struct DescribedRunOptions {
  bool batch_statistics = false;   // batch_norm normalizes by the batch's own statistics (training mode)
  bool bypass_batch_norm = false;  // batch_norm is the identity (LogSynflow)
  // Called with the input of every relu layer (its index in the description), before the relu.
  std::function<void(int layer, const torch::Tensor& input)> relu_input;
  // Called with the output of every layer (its index in the description) as soon as it is
  // computed; the tensor stays in the autograd graph (the proxy zoo's layer features).
  std::function<void(int layer, const torch::Tensor& output)> layer_output;
};

class DescribedNetworkImpl : public torch::nn::Module {
 public:
  explicit DescribedNetworkImpl(const NetworkDescription& description);
  // The output of the description's last layer for a batch (B x C x H x W input); a linear
  // layer's output is B x out.
  torch::Tensor forward(const torch::Tensor& x);
  // The same with the options above.
  torch::Tensor Run(const torch::Tensor& x, const DescribedRunOptions& options);
  // The weight parameters of the conv and linear layers (not biases, not batch norms), in layer order.
  std::vector<torch::Tensor> ConvAndLinearWeights() const;

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
