#include "simnas/spaces/ofa_mbv3/ofa_network.h"

#include <array>
#include <cmath>
#include <random>
#include <string>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

constexpr int kSqueezeReduction = 4;

class Builder {
 public:
  Builder(NetworkDescription& d, const OfaNetworkOptions& o) : d_(d), o_(o), rng_(o.seed) {}

  int Conv(const std::string& name, int from, int out, int kernel, int stride, int groups, bool bias) {
    const int in = d_.layer(from).shape.channels;
    const std::size_t n = static_cast<std::size_t>(out) * static_cast<std::size_t>(in / groups) *
                          static_cast<std::size_t>(kernel * kernel);
    std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt(2.0 / (kernel * kernel * out))));
    std::vector<float> weight(n);
    for (float& v : weight) v = w(rng_);
    std::vector<float> b;
    if (bias) {
      b.assign(static_cast<std::size_t>(out), 0.0f);
      if (o_.random_batch_norms) {
        std::normal_distribution<float> small(0.0f, 0.1f);
        for (float& v : b) v = small(rng_);
      }
    }
    return d_.Conv(name, from, out, kernel, stride, kernel / 2, groups, std::move(weight), std::move(b));
  }

  int BatchNorm(const std::string& name, int from) {
    return AddBatchNorm(d_, name, from, o_.random_batch_norms ? &rng_ : nullptr);
  }

  int Act(const std::string& name, int from, bool hard_swish) {
    return hard_swish ? d_.HardSwish(name + "/hswish", from) : d_.Relu(name + "/relu", from);
  }

  // conv, BN, activation: "<p>/conv", "<p>/bn", "<p>/relu" or "<p>/hswish".
  int ConvBnAct(const std::string& p, int from, int out, int kernel, int stride, int groups, bool hard_swish) {
    return Act(p, BatchNorm(p + "/bn", Conv(p + "/conv", from, out, kernel, stride, groups, false)), hard_swish);
  }

  int ConvBn(const std::string& p, int from, int out) {
    return BatchNorm(p + "/bn", Conv(p + "/conv", from, out, 1, 1, 1, false));
  }

  int SqueezeExcite(const std::string& p, int from) {
    const int mid = d_.layer(from).shape.channels;
    const int squeezed = OfaMakeDivisible(mid / kSqueezeReduction);
    int g = d_.GlobalAvgPool(p + "/pool", from);
    g = d_.Relu(p + "/reduce/relu", Conv(p + "/reduce/conv", g, squeezed, 1, 1, 1, true));
    g = d_.HardSigmoid(p + "/expand/hsigmoid", Conv(p + "/expand/conv", g, mid, 1, 1, 1, true));
    return d_.ChannelMul(p + "/scale", from, g);
  }

  int Linear(const std::string& name, int from, int out) {
    const int in = d_.layer(from).shape.channels;
    if (o_.proxy_classifier) {
      std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt(2.0 / out)));
      std::vector<float> weight(static_cast<std::size_t>(out) * static_cast<std::size_t>(in));
      for (float& v : weight) v = w(rng_);
      return d_.Linear(name, from, out, std::move(weight), std::vector<float>(static_cast<std::size_t>(out), 0.0f));
    }
    const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(in)));
    std::uniform_real_distribution<float> w(-bound, bound);
    std::vector<float> weight(static_cast<std::size_t>(out) * static_cast<std::size_t>(in));
    for (float& v : weight) v = w(rng_);
    return d_.Linear(name, from, out, std::move(weight), std::vector<float>(static_cast<std::size_t>(out), 0.0f));
  }

 private:
  NetworkDescription& d_;
  const OfaNetworkOptions& o_;
  std::mt19937_64 rng_;
};

}  // namespace

int OfaMakeDivisible(double value, int divisor) {
  int v = std::max(divisor, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
  if (v < 0.9 * value) v += divisor;
  return v;
}

NetworkDescription DescribeOfaMbv3(const OfaArch& arch, const OfaNetworkOptions& options) {
  if (options.num_classes < 1) throw ParseError(fmt::format("OFA network: {} classes", options.num_classes));
  const int size = options.input_size == 0 ? arch.resolution() : options.input_size;
  if (size < 32) throw ParseError(fmt::format("OFA network: input size {} is below 32 pixels", size));
  NetworkDescription d({3, size, size});
  Builder b(d, options);
  int h = b.ConvBnAct("stem", 0, kOfaStemChannels, 3, 2, 1, /*hard_swish=*/true);
  {
    int x = b.ConvBnAct("block0/depthwise", h, kOfaStemChannels, 3, 1, kOfaStemChannels, false);
    x = b.ConvBn("block0/project", x, kOfaStemChannels);
    h = d.Add("block0/residual", {x, h});
  }
  int in = kOfaStemChannels;
  for (int s = 0; s < kOfaNumStages; ++s) {
    const OfaStage& stage = kOfaStages[static_cast<std::size_t>(s)];
    const bool hs = stage.hard_swish;
    for (int j = 0; j < arch.depth(s); ++j) {
      const int slot = s * kOfaMaxDepth + j;
      const std::string p = fmt::format("stage{}/block{}", s + 1, j + 1);
      const int mid = OfaMakeDivisible(static_cast<double>(in) * arch.expansion(slot));
      const int k = arch.kernel(slot);
      int x = b.ConvBnAct(p + "/expand", h, mid, 1, 1, 1, hs);
      x = b.ConvBnAct(p + "/depthwise", x, mid, k, j == 0 ? stage.stride : 1, mid, hs);
      if (stage.squeeze_excite) x = b.SqueezeExcite(p + "/se", x);
      x = b.ConvBn(p + "/project", x, stage.width);
      h = j == 0 ? x : d.Add(p + "/residual", {x, h});
      in = stage.width;
    }
  }
  h = b.ConvBnAct("head/final_expand", h, kOfaFinalExpandChannels, 1, 1, 1, true);
  h = d.GlobalAvgPool("head/pool", h);
  h = b.Act("head/feature_mix", b.Conv("head/feature_mix/conv", h, kOfaFeatureMixChannels, 1, 1, 1, false), true);
  b.Linear("head/classifier", h, options.num_classes);
  return d;
}

std::vector<int> OfaZooFeatureLayers(const NetworkDescription& d) {
  std::vector<int> out;
  std::string block;  // the block of the last layer seen ("stem", "block0", "stage1/block1", ...)
  int last = -1;
  const auto flush = [&] {
    if (last >= 0) out.push_back(last);
  };
  for (std::size_t i = 1; i < d.layers().size(); ++i) {
    const std::string& name = d.layers()[i].name;
    if (name.rfind("head/", 0) == 0) break;
    // The block a layer belongs to: its name up to the block's component.
    const std::size_t first = name.find('/');
    std::string owner = name.substr(0, first);
    if (owner.rfind("stage", 0) == 0) owner = name.substr(0, name.find('/', first + 1));
    if (owner != block) {
      flush();
      block = owner;
    }
    last = static_cast<int>(i);
  }
  flush();
  if (out.empty() || d.layer(out.front()).name.rfind("stem/", 0) != 0) {
    throw Error("OFA description: no stem layer");
  }
  return out;
}

}  // namespace simnas
