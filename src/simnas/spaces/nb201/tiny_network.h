// The NAS-Bench-201 / NATS-Bench topology network ("TinyNetwork") for one cell, in LibTorch.
//
// Stem Conv3x3(3->C, no bias)+BN; three stages of N cells (C, 2C, 4C channels) separated by
// residual reduction blocks; head BN+ReLU, global average pool, linear classifier.
// Shared by the training-free proxies and the `local` device: one builder, one network.
#pragma once

#include <cstdint>
#include <functional>

#include <torch/torch.h>

#include "simnas/network/network_description.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

struct TinyNetworkOptions {
  int num_classes = 10;     // 10 / 100 / 120 for CIFAR-10 / CIFAR-100 / ImageNet16-120
  int channels = 16;        // C
  int cells_per_stage = 5;  // N
};

// Called with the input of every ReLU in forward order (ReLU codes are `input > 0`).
using ReluObserver = std::function<void(const torch::Tensor& relu_input)>;

// ReLU -> Conv(k, stride, no bias) -> BN(affine).
class ReluConvBnImpl : public torch::nn::Module {
 public:
  ReluConvBnImpl(int in_channels, int out_channels, int kernel, int stride, int padding);
  torch::Tensor forward(const torch::Tensor& x, const ReluObserver* observer = nullptr);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ReluConvBn);

// One cell edge: none (zeros), skip (identity), conv 1x1 / 3x3, avg pool 3x3 (stride 1,
// padding 1, padding not counted).
class EdgeOpImpl : public torch::nn::Module {
 public:
  EdgeOpImpl(Op op, int channels);
  torch::Tensor forward(const torch::Tensor& x, const ReluObserver* observer = nullptr);
  Op op() const { return op_; }
  ReluConvBn conv{nullptr};  // set for the conv ops only

 private:
  Op op_;
};
TORCH_MODULE(EdgeOp);

// node i = sum over j < i of edge(i<-j)(node j); the cell's output is node 3.
class CellModuleImpl : public torch::nn::Module {
 public:
  CellModuleImpl(const Cell& cell, int channels);
  torch::Tensor forward(const torch::Tensor& x, const ReluObserver* observer = nullptr);
  // The cell running only the edges whose bit is set in `edges` (bit e = canonical edge e, as
  // LiveEdgeMask gives): a skipped edge's term is left out of its node's sum, in the same order
  // as forward, which is RunEdges with every bit set. The output is x * 0 when no run edge
  // reaches it. Every run edge must start at node 0 or at a node some run edge reaches.
  torch::Tensor RunEdges(const torch::Tensor& x, std::uint8_t edges, const ReluObserver* observer = nullptr);
  std::vector<EdgeOp> edges;
};
TORCH_MODULE(CellModule);

// Residual reduction block: ReLUConvBN(3x3, stride 2) -> ReLUConvBN(3x3) plus a shortcut
// AvgPool2d(2) -> Conv1x1 (no bias); summed.
class ReductionBlockImpl : public torch::nn::Module {
 public:
  ReductionBlockImpl(int in_channels, int out_channels);
  torch::Tensor forward(const torch::Tensor& x, const ReluObserver* observer = nullptr);
  ReluConvBn conv_a{nullptr};
  ReluConvBn conv_b{nullptr};
  torch::nn::Conv2d shortcut{nullptr};
};
TORCH_MODULE(ReductionBlock);

class TinyNetworkImpl : public torch::nn::Module {
 public:
  TinyNetworkImpl(const Cell& cell, const TinyNetworkOptions& options = {});
  // Logits for a batch of images (B x 3 x H x W).
  torch::Tensor forward(const torch::Tensor& x, const ReluObserver* observer = nullptr);
  // Features before global pooling (after the head's BN+ReLU).
  torch::Tensor Features(const torch::Tensor& x, const ReluObserver* observer = nullptr);

  torch::nn::Conv2d stem_conv{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  // Stage cells and reduction blocks in forward order; exactly one of each pair is set.
  std::vector<CellModule> cells;
  std::vector<ReductionBlock> reductions;
  std::vector<bool> is_reduction;  // layer kinds in forward order
  torch::nn::BatchNorm2d head_bn{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(TinyNetwork);

// The network as a runtime-neutral description (network_description.h) with its current
// weights, batch norms in inference form (running statistics), for input_size x input_size
// images: what the ONNX exporter writes. Layer names say stage, cell, edge and op, e.g.
// "cell3/edge_2_1/nor_conv_3x3/conv". A `none` edge adds nothing to its node (x*0 + y = y
// for finite values); a node whose inputs are all `none` is a zero layer.
NetworkDescription DescribeNetwork(TinyNetworkImpl& net, int input_size);

// Number of trainable parameters (for test vectors: all `none` 73,306 with 10 classes).
std::int64_t CountParameters(torch::nn::Module& module);

}  // namespace simnas
