#include "simnas/spaces/nb201/tiny_network.h"

#include <gtest/gtest.h>

namespace simnas {
namespace {

Cell Uniform(Op op) {
  std::array<Op, kNumEdges> ops;
  ops.fill(op);
  return Cell(ops);
}

TEST(TinyNetwork, ParameterCountsMatchNasBench201) {
  {
    TinyNetwork net(Uniform(Op::kNone));
    EXPECT_EQ(CountParameters(*net), 73306);
  }
  {
    TinyNetwork net(Uniform(Op::kConv1x1));
    EXPECT_EQ(CountParameters(*net), 241306);
  }
  {
    TinyNetwork net(Uniform(Op::kConv3x3));
    EXPECT_EQ(CountParameters(*net), 1531546);
  }
  {
    TinyNetworkOptions cifar100;
    cifar100.num_classes = 100;
    TinyNetwork net(Uniform(Op::kConv3x3), cifar100);
    EXPECT_EQ(CountParameters(*net), 1537396);
  }
}

TEST(TinyNetwork, ForwardShapesAndReluObserver) {
  const Cell cell = Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|");
  TinyNetwork net(cell);
  net->eval();
  int relus = 0;
  std::int64_t units = 0;
  const ReluObserver observer = [&](const torch::Tensor& x) {
    ++relus;
    units += x[0].numel();
  };
  torch::NoGradGuard no_grad;
  const torch::Tensor out = net->forward(torch::randn({4, 3, 32, 32}), &observer);
  EXPECT_EQ(out.sizes(), (std::vector<std::int64_t>{4, 10}));
  // Two conv edges per cell x 15 cells, two ReLUs per reduction block x 2, one in the head.
  EXPECT_EQ(relus, 2 * 15 + 2 * 2 + 1);
  // Head ReLU sees 64 channels at 8x8.
  EXPECT_GT(units, 64 * 8 * 8);
}

TEST(TinyNetwork, ImageNet16InputsWork) {
  TinyNetworkOptions options;
  options.num_classes = 120;
  TinyNetwork net(Uniform(Op::kConv3x3), options);
  torch::NoGradGuard no_grad;
  const torch::Tensor out = net->forward(torch::randn({2, 3, 16, 16}));
  EXPECT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 120}));
}

}  // namespace
}  // namespace simnas
