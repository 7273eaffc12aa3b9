#include "simnas/network/described_network.h"

#include <fmt/format.h>

namespace simnas {
namespace {

namespace F = torch::nn::functional;

torch::Tensor Tensor(const std::vector<float>& values, std::vector<std::int64_t> shape) {
  if (values.empty()) return {};
  return torch::tensor(values, torch::kFloat).reshape(shape);
}

}  // namespace

DescribedNetworkImpl::DescribedNetworkImpl(const NetworkDescription& description) {
  const std::vector<Layer>& layers = description.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    Step s{l.kind, l.inputs, l.kernel, l.stride, l.padding, l.groups, l.count_include_pad, l.eps, {}, {}, {}, {}, {}};
    const std::int64_t c = l.shape.channels;
    const std::string name = fmt::format("layer{}", i);
    if (l.kind == LayerKind::kConv) {
      const std::int64_t in = layers[static_cast<std::size_t>(l.inputs[0])].shape.channels;
      s.weight = register_parameter(name + "_weight", Tensor(l.weight, {c, in / l.groups, l.kernel, l.kernel}));
      if (!l.bias.empty()) s.bias = register_parameter(name + "_bias", Tensor(l.bias, {c}));
    } else if (l.kind == LayerKind::kLinear) {
      const std::int64_t in = layers[static_cast<std::size_t>(l.inputs[0])].shape.channels;
      s.weight = register_parameter(name + "_weight", Tensor(l.weight, {c, in}));
      s.bias = register_parameter(name + "_bias", Tensor(l.bias, {c}));
    } else if (l.kind == LayerKind::kBatchNorm) {
      s.scale = register_parameter(name + "_scale", Tensor(l.scale, {c}));
      s.bias = register_parameter(name + "_bias", Tensor(l.bias, {c}));
      s.mean = register_buffer(name + "_mean", Tensor(l.mean, {c}));
      s.var = register_buffer(name + "_var", Tensor(l.var, {c}));
    }
    steps_.push_back(std::move(s));
  }
}

torch::Tensor DescribedNetworkImpl::forward(const torch::Tensor& x) { return Run(x, DescribedRunOptions{}); }

std::vector<torch::Tensor> DescribedNetworkImpl::ConvAndLinearWeights() const {
  std::vector<torch::Tensor> out;
  for (const Step& s : steps_) {
    if (s.kind == LayerKind::kConv || s.kind == LayerKind::kLinear) out.push_back(s.weight);
  }
  return out;
}

torch::Tensor DescribedNetworkImpl::Run(const torch::Tensor& x, const DescribedRunOptions& options) {
  std::vector<torch::Tensor> out(steps_.size());
  out[0] = x;
  for (std::size_t i = 1; i < steps_.size(); ++i) {
    const Step& s = steps_[i];
    const torch::Tensor& in = out[static_cast<std::size_t>(s.inputs[0])];
    switch (s.kind) {
      case LayerKind::kInput: out[i] = in; break;
      case LayerKind::kConv:
        out[i] = F::conv2d(in, s.weight,
                           F::Conv2dFuncOptions().bias(s.bias).stride(s.stride).padding(s.padding).groups(s.groups));
        break;
      case LayerKind::kBatchNorm:
        if (options.bypass_batch_norm) {
          out[i] = in;
        } else if (options.batch_statistics) {
          // Training mode without running statistics: normalized by the batch's mean and (biased) variance.
          out[i] = F::batch_norm(in, torch::Tensor(), torch::Tensor(),
                                 F::BatchNormFuncOptions().weight(s.scale).bias(s.bias).eps(s.eps).training(true));
        } else {
          out[i] = F::batch_norm(in, s.mean, s.var,
                                 F::BatchNormFuncOptions().weight(s.scale).bias(s.bias).eps(s.eps).training(false));
        }
        break;
      case LayerKind::kRelu:
        if (options.relu_input) options.relu_input(static_cast<int>(i), in);
        out[i] = torch::relu(in);
        break;
      case LayerKind::kAdd: {
        torch::Tensor sum = in;
        for (std::size_t k = 1; k < s.inputs.size(); ++k) sum = sum + out[static_cast<std::size_t>(s.inputs[k])];
        out[i] = sum;
        break;
      }
      case LayerKind::kAvgPool:
        out[i] = torch::avg_pool2d(in, {s.kernel, s.kernel}, {s.stride, s.stride}, {s.padding, s.padding},
                                   /*ceil_mode=*/false, s.count_include_pad);
        break;
      case LayerKind::kZero: out[i] = in.mul(0.0); break;
      case LayerKind::kChannelShuffle: {
        const auto b = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
        out[i] = in.view({b, s.groups, c / s.groups, h, w}).transpose(1, 2).reshape({b, c, h, w});
        break;
      }
      case LayerKind::kGlobalAvgPool: out[i] = in.mean({2, 3}, /*keepdim=*/true); break;
      case LayerKind::kLinear: out[i] = F::linear(in.flatten(1), s.weight, s.bias); break;
      case LayerKind::kHardSigmoid: out[i] = torch::hardsigmoid(in); break;
      case LayerKind::kHardSwish: out[i] = torch::hardswish(in); break;
      case LayerKind::kChannelMul: out[i] = in * out[static_cast<std::size_t>(s.inputs[1])]; break;
    }
    if (options.layer_output) options.layer_output(static_cast<int>(i), out[i]);
  }
  return out.back();
}

}  // namespace simnas
