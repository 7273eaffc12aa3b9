// FBNet's proxy network (fbnet_proxy_network.h).
#include "simnas/spaces/fbnet/fbnet_proxy_network.h"

#include <cmath>
#include <random>
#include <string>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/seed_mix.h"
#include "simnas/spaces/fbnet/fbnet_network.h"

namespace simnas {

std::uint64_t FbnetProxySeed(std::uint64_t seed, const FbnetArch& arch) {
  std::uint64_t h = SplitMix64(seed ^ 0x66626e6574ULL);  // "fbnet": not the NB201 seeds
  for (int block : arch.Indices()) h = SplitMix64(h ^ static_cast<std::uint64_t>(block));
  return h & 0x7fffffffffffffffULL;
}

NetworkDescription DescribeFbnetForProxies(const FbnetArch& arch, std::uint64_t seed) {
  FbnetNetworkOptions options;
  options.num_classes = kFbnetProxyClasses;
  options.input_size = kFbnetProxyInputSize;
  const std::uint64_t network_seed = FbnetProxySeed(seed, arch);
  options.seed = network_seed;
  // DescribeFbnet already initializes as FreeREA does everywhere but the classifier
  // (HW-NAS-Bench's N(0, 0.001)): redraw it as Kaiming normal fan_out (std sqrt(2 / classes)),
  // bias 0, from a stream of its own.
  NetworkDescription d = DescribeFbnet(arch, options);
  const Layer& classifier = d.layer(d.output());
  if (classifier.kind != LayerKind::kLinear) throw Error("DescribeFbnet: the last layer is not the classifier");
  std::mt19937_64 rng(SplitMix64(network_seed ^ 0x6c696e656172ULL));  // "linear"
  std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt(2.0 / classifier.shape.channels)));
  std::vector<float> weight(classifier.weight.size());
  for (float& v : weight) v = w(rng);
  // Rebuild the description with the new classifier (descriptions are append-only).
  NetworkDescription out(d.input_shape());
  for (std::size_t i = 1; i < d.layers().size(); ++i) {
    const Layer& l = d.layers()[i];
    switch (l.kind) {
      case LayerKind::kConv:
        out.Conv(l.name, l.inputs[0], l.shape.channels, l.kernel, l.stride, l.padding, l.groups, l.weight, l.bias);
        break;
      case LayerKind::kBatchNorm: out.BatchNorm(l.name, l.inputs[0], l.scale, l.bias, l.mean, l.var, l.eps); break;
      case LayerKind::kRelu: out.Relu(l.name, l.inputs[0]); break;
      case LayerKind::kAdd: out.Add(l.name, l.inputs); break;
      case LayerKind::kChannelShuffle: out.ChannelShuffle(l.name, l.inputs[0], l.groups); break;
      case LayerKind::kGlobalAvgPool: out.GlobalAvgPool(l.name, l.inputs[0]); break;
      case LayerKind::kLinear:
        out.Linear(l.name, l.inputs[0], l.shape.channels, weight, std::vector<float>(l.bias.size(), 0.0f));
        break;
      default: throw Error(fmt::format("DescribeFbnet: unexpected layer '{}'", l.name));
    }
  }
  return out;
}

std::vector<int> FbnetZooFeatureLayers(const NetworkDescription& d) {
  int stem = -1;
  std::vector<int> last(kFbnetNumLayers, -1);
  for (std::size_t i = 0; i < d.layers().size(); ++i) {
    const std::string& name = d.layers()[i].name;
    if (name == "stem/relu") stem = static_cast<int>(i);
    if (name.rfind("layer", 0) != 0) continue;
    const std::size_t slash = name.find('/');
    const int n = std::stoi(name.substr(5, slash - 5));
    if (n < 1 || n > kFbnetNumLayers) throw Error(fmt::format("FBNet description: layer '{}' out of range", name));
    last[static_cast<std::size_t>(n - 1)] = static_cast<int>(i);
  }
  if (stem < 0) throw Error("FBNet description: no 'stem/relu' layer");
  std::vector<int> out{stem};
  for (int index : last) {
    if (index >= 0) out.push_back(index);
  }
  return out;
}

}  // namespace simnas
