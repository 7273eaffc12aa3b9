#include "simnas/spaces/fbnet/fbnet_network.h"

#include <cmath>
#include <random>
#include <string>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

class Builder {
 public:
  Builder(NetworkDescription& d, const FbnetNetworkOptions& o) : d_(d), o_(o), rng_(o.seed) {}

  int Conv(const std::string& name, int from, int out, int kernel, int stride, int padding, int groups) {
    const int in = d_.layer(from).shape.channels;
    const std::size_t n = static_cast<std::size_t>(out) * static_cast<std::size_t>(in / groups) *
                          static_cast<std::size_t>(kernel * kernel);
    // Kaiming normal, fan_out = out * k * k (PyTorch's mode='fan_out', ReLU gain).
    std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt(2.0 / (out * kernel * kernel))));
    std::vector<float> weight(n);
    for (float& v : weight) v = w(rng_);
    return d_.Conv(name, from, out, kernel, stride, padding, groups, std::move(weight));
  }

  int BatchNorm(const std::string& name, int from) {
    return AddBatchNorm(d_, name, from, o_.random_batch_norms ? &rng_ : nullptr);
  }

  int ConvBnRelu(const std::string& p, int from, int out, int kernel, int stride, int padding, int groups) {
    const int conv = Conv(p + "/conv", from, out, kernel, stride, padding, groups);
    return d_.Relu(p + "/relu", BatchNorm(p + "/bn", conv));
  }

  int Linear(const std::string& name, int from, int out) {
    const int in = d_.layer(from).shape.channels;
    std::normal_distribution<float> w(0.0f, 0.001f);
    std::vector<float> weight(static_cast<std::size_t>(out) * static_cast<std::size_t>(in));
    for (float& v : weight) v = w(rng_);
    return d_.Linear(name, from, out, std::move(weight), std::vector<float>(static_cast<std::size_t>(out), 0.0f));
  }

  int Block(int layer, FbnetBlock block, int from) {
    const FbnetLayerShape& s = FbnetLayerShapes()[static_cast<std::size_t>(layer)];
    const FbnetBlockParams b = ParamsOf(block);
    const std::string p = fmt::format("layer{}/{}", layer + 1, FbnetBlockName(block));
    const bool same_shape = s.in_channels == s.out_channels && s.stride == 1;
    if (b.skip) {
      if (same_shape) return from;
      return ConvBnRelu(p, from, s.out_channels, 1, s.stride, 0, 1);
    }
    const int inner = s.in_channels * b.expansion;
    int h = ConvBnRelu(p + "/pw1", from, inner, 1, 1, 0, b.groups);
    if (b.groups > 1) h = d_.ChannelShuffle(p + "/shuffle", h, b.groups);
    h = ConvBnRelu(p + "/dw", h, inner, b.kernel, s.stride, b.kernel / 2, inner);
    h = BatchNorm(p + "/pw2/bn", Conv(p + "/pw2/conv", h, s.out_channels, 1, 1, 0, b.groups));
    if (same_shape) h = d_.Add(p + "/residual", {h, from});
    return h;
  }

 private:
  NetworkDescription& d_;
  const FbnetNetworkOptions& o_;
  std::mt19937_64 rng_;
};

}  // namespace

NetworkDescription DescribeFbnet(const FbnetArch& arch, const FbnetNetworkOptions& options) {
  if (options.num_classes < 1) throw ParseError(fmt::format("FBNet network: {} classes", options.num_classes));
  if (options.input_size < 8) {
    throw ParseError(fmt::format("FBNet network: input size {} is below 8 pixels", options.input_size));
  }
  NetworkDescription d({3, options.input_size, options.input_size});
  Builder b(d, options);
  int h = b.ConvBnRelu("stem", 0, kFbnetStemChannels, 3, 1, 1, 1);
  for (int layer = 0; layer < kFbnetNumLayers; ++layer) h = b.Block(layer, arch.block(layer), h);
  h = b.ConvBnRelu("header", h, kFbnetHeaderChannels, 1, 1, 0, 1);
  h = d.GlobalAvgPool("head/global_pool", h);
  b.Linear("head/classifier", h, options.num_classes);
  return d;
}

}  // namespace simnas
