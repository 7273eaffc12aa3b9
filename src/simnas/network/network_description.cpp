#include "simnas/network/network_description.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

std::string_view LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kInput: return "input";
    case LayerKind::kConv: return "conv";
    case LayerKind::kBatchNorm: return "batch_norm";
    case LayerKind::kRelu: return "relu";
    case LayerKind::kAdd: return "add";
    case LayerKind::kAvgPool: return "avg_pool";
    case LayerKind::kZero: return "zero";
    case LayerKind::kChannelShuffle: return "channel_shuffle";
    case LayerKind::kGlobalAvgPool: return "global_avg_pool";
    case LayerKind::kLinear: return "linear";
    case LayerKind::kHardSigmoid: return "hard_sigmoid";
    case LayerKind::kHardSwish: return "hard_swish";
    case LayerKind::kChannelMul: return "channel_mul";
  }
  return "?";
}

namespace {

int PooledSize(int size, int kernel, int stride, int padding) { return (size + 2 * padding - kernel) / stride + 1; }

void CheckSize(const std::string& name, const char* what, std::size_t got, std::int64_t expected) {
  if (static_cast<std::int64_t>(got) != expected) {
    throw Error(fmt::format("network layer {}: {} has {} values, expected {}", name, what, got, expected));
  }
}

}  // namespace

NetworkDescription::NetworkDescription(LayerShape input) {
  layers_.push_back({.kind = LayerKind::kInput, .name = "input", .shape = input});
}

const Layer& NetworkDescription::From(int index, const std::string& name) const {
  if (index < 0 || index >= static_cast<int>(layers_.size())) {
    throw Error(fmt::format("network layer {} reads layer {}, which does not exist yet", name, index));
  }
  return layers_[static_cast<std::size_t>(index)];
}

int NetworkDescription::Append(Layer layer) {
  if (layer.shape.channels <= 0 || layer.shape.height <= 0 || layer.shape.width <= 0) {
    throw Error(fmt::format("network layer {} would have an empty output ({}x{}x{})", layer.name,
                            layer.shape.channels, layer.shape.height, layer.shape.width));
  }
  layers_.push_back(std::move(layer));
  return output();
}

int NetworkDescription::Conv(std::string name, int from, int out_channels, int kernel, int stride, int padding,
                             int groups, std::vector<float> weight, std::vector<float> bias) {
  const LayerShape in = From(from, name).shape;
  if (groups < 1 || in.channels % groups != 0 || out_channels % groups != 0) {
    throw Error(fmt::format("network layer {}: {} groups do not divide {} -> {} channels", name, groups, in.channels,
                            out_channels));
  }
  CheckSize(name, "weight", weight.size(),
            static_cast<std::int64_t>(out_channels) * (in.channels / groups) * kernel * kernel);
  if (!bias.empty()) CheckSize(name, "bias", bias.size(), out_channels);
  return Append({.kind = LayerKind::kConv, .name = std::move(name), .inputs = {from},
                 .shape = {out_channels, PooledSize(in.height, kernel, stride, padding),
                           PooledSize(in.width, kernel, stride, padding)},
                 .kernel = kernel, .stride = stride, .padding = padding, .groups = groups,
                 .weight = std::move(weight), .bias = std::move(bias)});
}

int NetworkDescription::BatchNorm(std::string name, int from, std::vector<float> scale, std::vector<float> bias,
                                  std::vector<float> mean, std::vector<float> var, double eps) {
  const LayerShape in = From(from, name).shape;
  CheckSize(name, "scale", scale.size(), in.channels);
  CheckSize(name, "bias", bias.size(), in.channels);
  CheckSize(name, "mean", mean.size(), in.channels);
  CheckSize(name, "var", var.size(), in.channels);
  return Append({.kind = LayerKind::kBatchNorm, .name = std::move(name), .inputs = {from}, .shape = in,
                 .bias = std::move(bias), .scale = std::move(scale), .mean = std::move(mean), .var = std::move(var),
                 .eps = eps});
}

int NetworkDescription::Elementwise(LayerKind kind, std::string name, int from) {
  const LayerShape in = From(from, name).shape;
  return Append({.kind = kind, .name = std::move(name), .inputs = {from}, .shape = in});
}

int NetworkDescription::Relu(std::string name, int from) { return Elementwise(LayerKind::kRelu, std::move(name), from); }

int NetworkDescription::HardSigmoid(std::string name, int from) {
  return Elementwise(LayerKind::kHardSigmoid, std::move(name), from);
}

int NetworkDescription::HardSwish(std::string name, int from) {
  return Elementwise(LayerKind::kHardSwish, std::move(name), from);
}

int NetworkDescription::ChannelMul(std::string name, int from, int gate) {
  const LayerShape in = From(from, name).shape;
  const LayerShape g = From(gate, name).shape;
  if (g.channels != in.channels || g.height != 1 || g.width != 1) {
    throw Error(fmt::format("network layer {}: channel_mul of a {}x{}x{} input by a {}x{}x{} gate (expected {}x1x1)",
                            name, in.channels, in.height, in.width, g.channels, g.height, g.width, in.channels));
  }
  return Append({.kind = LayerKind::kChannelMul, .name = std::move(name), .inputs = {from, gate}, .shape = in});
}

int NetworkDescription::Add(std::string name, std::vector<int> from) {
  if (from.size() < 2) throw Error(fmt::format("network layer {}: add needs two or more inputs", name));
  const LayerShape shape = From(from[0], name).shape;
  for (int f : from) {
    if (From(f, name).shape != shape) {
      throw Error(fmt::format("network layer {}: add of inputs with different shapes", name));
    }
  }
  return Append({.kind = LayerKind::kAdd, .name = std::move(name), .inputs = std::move(from), .shape = shape});
}

int NetworkDescription::AvgPool(std::string name, int from, int kernel, int stride, int padding,
                                bool count_include_pad) {
  const LayerShape in = From(from, name).shape;
  return Append({.kind = LayerKind::kAvgPool, .name = std::move(name), .inputs = {from},
                 .shape = {in.channels, PooledSize(in.height, kernel, stride, padding),
                           PooledSize(in.width, kernel, stride, padding)},
                 .kernel = kernel, .stride = stride, .padding = padding, .count_include_pad = count_include_pad});
}

int NetworkDescription::Zero(std::string name, int from) { return Elementwise(LayerKind::kZero, std::move(name), from); }

int NetworkDescription::ChannelShuffle(std::string name, int from, int groups) {
  const LayerShape in = From(from, name).shape;
  if (groups < 1 || in.channels % groups != 0) {
    throw Error(fmt::format("network layer {}: {} groups do not divide {} channels", name, groups, in.channels));
  }
  return Append({.kind = LayerKind::kChannelShuffle, .name = std::move(name), .inputs = {from}, .shape = in,
                 .groups = groups});
}

int NetworkDescription::GlobalAvgPool(std::string name, int from) {
  const int channels = From(from, name).shape.channels;
  return Append({.kind = LayerKind::kGlobalAvgPool, .name = std::move(name), .inputs = {from}, .shape = {channels, 1, 1}});
}

int NetworkDescription::Linear(std::string name, int from, int out_features, std::vector<float> weight,
                               std::vector<float> bias) {
  const LayerShape in = From(from, name).shape;
  if (in.height != 1 || in.width != 1) {
    throw Error(fmt::format("network layer {}: linear needs a Cx1x1 input, got {}x{}x{}", name, in.channels,
                            in.height, in.width));
  }
  CheckSize(name, "weight", weight.size(), static_cast<std::int64_t>(out_features) * in.channels);
  CheckSize(name, "bias", bias.size(), out_features);
  return Append({.kind = LayerKind::kLinear, .name = std::move(name), .inputs = {from}, .shape = {out_features, 1, 1},
                 .weight = std::move(weight), .bias = std::move(bias)});
}

std::int64_t NetworkDescription::ParameterCount() const {
  std::int64_t n = 0;
  for (const Layer& l : layers_) {
    n += static_cast<std::int64_t>(l.weight.size() + l.bias.size() + l.scale.size());
  }
  return n;
}

std::int64_t NetworkDescription::MultiplyAdds() const {
  std::int64_t n = 0;
  for (const Layer& l : layers_) {
    if (l.kind == LayerKind::kConv) {
      n += static_cast<std::int64_t>(l.weight.size()) * l.shape.height * l.shape.width;
    } else if (l.kind == LayerKind::kLinear) {
      n += static_cast<std::int64_t>(l.weight.size());
    }
  }
  return n;
}

int AddBatchNorm(NetworkDescription& d, const std::string& name, int from, std::mt19937_64* rng) {
  const std::size_t c = static_cast<std::size_t>(d.layer(from).shape.channels);
  std::vector<float> scale(c, 1.0f), bias(c, 0.0f), mean(c, 0.0f), var(c, 1.0f);
  if (rng != nullptr) {
    std::normal_distribution<float> small(0.0f, 0.1f);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (std::size_t i = 0; i < c; ++i) {
      mean[i] = small(*rng);
      var[i] = 0.5f + 1.5f * unit(*rng);
      scale[i] = 0.5f + unit(*rng);
      bias[i] = small(*rng);
    }
  }
  return d.BatchNorm(name, from, std::move(scale), std::move(bias), std::move(mean), std::move(var), 1e-5);
}

}  // namespace simnas
