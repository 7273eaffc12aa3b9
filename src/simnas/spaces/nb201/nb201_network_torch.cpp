// The LibTorch side of nb201_network.h, in the torch plugin: a cell's weights are drawn with
// LibTorch's initialization.
#include <torch/torch.h>

#include "simnas/spaces/nb201/nb201_network.h"
#include "simnas/spaces/nb201/tiny_network.h"

simnas::NetworkDescription simnas_torch_describe_cell(const simnas::Cell& cell, int num_classes, int input_size,
                                                      std::uint64_t seed) {
  using namespace simnas;
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  TinyNetworkOptions net_options;
  net_options.num_classes = num_classes;
  TinyNetwork net(cell, net_options);
  net->eval();
  return DescribeNetwork(*net, input_size);
}
