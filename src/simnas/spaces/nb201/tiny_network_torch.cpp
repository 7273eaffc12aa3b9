#include "simnas/spaces/nb201/tiny_network.h"

namespace simnas {
namespace {

torch::Tensor Relu(const torch::Tensor& x, const ReluObserver* observer) {
  if (observer != nullptr) (*observer)(x);
  return torch::relu(x);
}

}  // namespace

ReluConvBnImpl::ReluConvBnImpl(int in_channels, int out_channels, int kernel, int stride, int padding) {
  conv = register_module(
      "conv", torch::nn::Conv2d(
                  torch::nn::Conv2dOptions(in_channels, out_channels, kernel).stride(stride).padding(padding).bias(false)));
  bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels)));
}

torch::Tensor ReluConvBnImpl::forward(const torch::Tensor& x, const ReluObserver* observer) {
  return bn->forward(conv->forward(Relu(x, observer)));
}

EdgeOpImpl::EdgeOpImpl(Op op, int channels) : op_(op) {
  if (op == Op::kConv1x1) conv = register_module("op", ReluConvBn(channels, channels, 1, 1, 0));
  if (op == Op::kConv3x3) conv = register_module("op", ReluConvBn(channels, channels, 3, 1, 1));
}

torch::Tensor EdgeOpImpl::forward(const torch::Tensor& x, const ReluObserver* observer) {
  switch (op_) {
    case Op::kNone: return x.mul(0.0);
    case Op::kSkipConnect: return x;
    case Op::kConv1x1:
    case Op::kConv3x3: return conv->forward(x, observer);
    case Op::kAvgPool3x3:
      return torch::avg_pool2d(x, /*kernel_size=*/{3, 3}, /*stride=*/{1, 1}, /*padding=*/{1, 1},
                               /*ceil_mode=*/false, /*count_include_pad=*/false);
  }
  return x;
}

CellModuleImpl::CellModuleImpl(const Cell& cell, int channels) {
  for (int e = 0; e < kNumEdges; ++e) {
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    edges.push_back(register_module("edge_" + std::to_string(ends.to) + "_" + std::to_string(ends.from),
                                    EdgeOp(cell.op(e), channels)));
  }
}

torch::Tensor CellModuleImpl::forward(const torch::Tensor& x, const ReluObserver* observer) {
  return RunEdges(x, (1u << kNumEdges) - 1, observer);
}

torch::Tensor CellModuleImpl::RunEdges(const torch::Tensor& x, std::uint8_t run, const ReluObserver* observer) {
  std::array<torch::Tensor, kNumNodes> nodes;
  nodes[0] = x;
  int e = 0;
  for (int node = 1; node < kNumNodes; ++node) {
    torch::Tensor sum;
    for (int source = 0; source < node; ++source, ++e) {
      if (((run >> e) & 1) == 0) continue;
      torch::Tensor out = edges[static_cast<std::size_t>(e)]->forward(nodes[static_cast<std::size_t>(source)], observer);
      sum = sum.defined() ? sum + out : out;
    }
    nodes[static_cast<std::size_t>(node)] = sum;
  }
  const torch::Tensor& out = nodes[kNumNodes - 1];
  return out.defined() ? out : x.mul(0.0);
}

ReductionBlockImpl::ReductionBlockImpl(int in_channels, int out_channels) {
  conv_a = register_module("conv_a", ReluConvBn(in_channels, out_channels, 3, 2, 1));
  conv_b = register_module("conv_b", ReluConvBn(out_channels, out_channels, 3, 1, 1));
  shortcut = register_module(
      "shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1).stride(1).bias(false)));
}

torch::Tensor ReductionBlockImpl::forward(const torch::Tensor& x, const ReluObserver* observer) {
  torch::Tensor main = conv_b->forward(conv_a->forward(x, observer), observer);
  torch::Tensor residual = shortcut->forward(torch::avg_pool2d(x, {2, 2}, {2, 2}));
  return residual + main;
}

TinyNetworkImpl::TinyNetworkImpl(const Cell& cell, const TinyNetworkOptions& options) {
  const int c = options.channels;
  stem_conv = register_module("stem_conv",
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(3, c, 3).padding(1).bias(false)));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(c)));
  int channels = c;
  int layer = 0;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      reductions.push_back(register_module("layer" + std::to_string(layer++), ReductionBlock(channels, 2 * channels)));
      is_reduction.push_back(true);
      channels *= 2;
    }
    for (int i = 0; i < options.cells_per_stage; ++i) {
      cells.push_back(register_module("layer" + std::to_string(layer++), CellModule(cell, channels)));
      is_reduction.push_back(false);
    }
  }
  head_bn = register_module("head_bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)));
  classifier = register_module("classifier", torch::nn::Linear(channels, options.num_classes));
}

torch::Tensor TinyNetworkImpl::Features(const torch::Tensor& x, const ReluObserver* observer) {
  torch::Tensor h = stem_bn->forward(stem_conv->forward(x));
  std::size_t next_cell = 0, next_reduction = 0;
  for (bool reduction : is_reduction) {
    h = reduction ? reductions[next_reduction++]->forward(h, observer) : cells[next_cell++]->forward(h, observer);
  }
  return Relu(head_bn->forward(h), observer);
}

torch::Tensor TinyNetworkImpl::forward(const torch::Tensor& x, const ReluObserver* observer) {
  torch::Tensor features = Features(x, observer);
  return classifier->forward(features.mean({2, 3}));
}

std::int64_t CountParameters(torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace simnas
