#include "simnas/devices/reference_network.h"

#include <cmath>
#include <random>

namespace simnas {
namespace {

std::vector<float> Draw(std::mt19937_64& rng, std::size_t n, double stddev) {
  std::normal_distribution<double> normal(0.0, stddev);
  std::vector<float> w(n);
  for (float& v : w) v = static_cast<float>(normal(rng));
  return w;
}

int ConvBnRelu(NetworkDescription& net, std::mt19937_64& rng, const std::string& name, int from, int in, int out) {
  const int conv = net.Conv(name + "/conv", from, out, 3, 1, 1, 1,
                            Draw(rng, static_cast<std::size_t>(out * in * 9), std::sqrt(2.0 / (out * 9))));
  const auto n = static_cast<std::size_t>(out);
  const int bn = net.BatchNorm(name + "/bn", conv, std::vector<float>(n, 1.0f), std::vector<float>(n, 0.0f),
                               std::vector<float>(n, 0.0f), std::vector<float>(n, 1.0f), 1e-5);
  return net.Relu(name + "/relu", bn);
}

}  // namespace

NetworkDescription ReferenceNetworkDescription(int num_classes, int input_size) {
  std::mt19937_64 rng(20261203);
  NetworkDescription net(LayerShape{3, input_size, input_size});
  int x = ConvBnRelu(net, rng, "reference/stem", 0, 3, 16);
  x = ConvBnRelu(net, rng, "reference/body", x, 16, 16);
  x = net.GlobalAvgPool("reference/pool", x);
  net.Linear("reference/classifier", x, num_classes, Draw(rng, static_cast<std::size_t>(num_classes * 16), 0.01),
             std::vector<float>(static_cast<std::size_t>(num_classes), 0.0f));
  return net;
}

}  // namespace simnas
