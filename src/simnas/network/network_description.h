// A network as a small list of layers with their shapes and weights, free of any runtime:
// what the ONNX exporter (network/onnx_export.h) writes, and what a second search space
// (FBNet's grouped 1x1 convs, channel shuffles, depthwise kxk convs) describes its blocks with.
//
// Layers are in forward order; a layer reads the outputs of earlier layers by index (layer 0 is
// the input). Shapes are per image (channels, height, width); the batch is chosen at export.
// Every layer's meaning is exact and runtime-neutral:
//   conv      2-D convolution, square kernel, symmetric zero padding, `groups`, optional bias
//   batch_norm inference form: (x - mean) / sqrt(var + eps) * scale + bias, per channel
//   relu, add (elementwise sum of two or more inputs of one shape)
//   avg_pool  square window; `count_include_pad` false divides by the in-bounds part of the
//             window only (PyTorch's count_include_pad=False)
//   zero      zeros of the input's shape (NAS-Bench-201's `none`)
//   channel_shuffle  ShuffleNet's shuffle: (g, C/g) channels viewed as (C/g, g)
//   global_avg_pool  mean over height and width (output C x 1 x 1)
//   linear    fully connected layer on a C x 1 x 1 input (output out x 1 x 1), with bias
//   hard_sigmoid  relu6(x + 3) / 6, elementwise (MobileNet-V3's gate)
//   hard_swish    x * relu6(x + 3) / 6, elementwise
//   channel_mul   input 0 (C x H x W) times input 1 (C x 1 x 1), each channel by its own value
//                 (squeeze-and-excitation's rescaling)
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

enum class LayerKind {
  kInput,
  kConv,
  kBatchNorm,
  kRelu,
  kAdd,
  kAvgPool,
  kZero,
  kChannelShuffle,
  kGlobalAvgPool,
  kLinear,
  kHardSigmoid,
  kHardSwish,
  kChannelMul,
};

std::string_view LayerKindName(LayerKind kind);

struct LayerShape {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::int64_t numel() const { return static_cast<std::int64_t>(channels) * height * width; }
  auto operator<=>(const LayerShape&) const = default;
};

struct Layer {
  LayerKind kind = LayerKind::kInput;
  std::string name{};       // says where it is, e.g. "cell3/edge_2_1/nor_conv_3x3/conv"
  std::vector<int> inputs{};  // indices of earlier layers
  LayerShape shape{};       // output shape, per image
  // conv, avg_pool
  int kernel = 0;
  int stride = 1;
  int padding = 0;
  int groups = 1;                  // conv groups; channel_shuffle groups
  bool count_include_pad = true;   // avg_pool
  // conv: out x in/groups x k x k; linear: out x in. Bias empty when absent.
  std::vector<float> weight{};
  std::vector<float> bias{};
  // batch_norm (bias above is its shift)
  std::vector<float> scale{}, mean{}, var{};
  double eps = 1e-5;
};

class NetworkDescription {
 public:
  // Starts a network whose input is `input` per image.
  explicit NetworkDescription(LayerShape input);

  // Each adds one layer reading `from` and returns its index. Weights are given in the
  // layouts documented on Layer; a wrong size throws Error naming the layer.
  int Conv(std::string name, int from, int out_channels, int kernel, int stride, int padding, int groups,
           std::vector<float> weight, std::vector<float> bias = {});
  int BatchNorm(std::string name, int from, std::vector<float> scale, std::vector<float> bias,
                std::vector<float> mean, std::vector<float> var, double eps);
  int Relu(std::string name, int from);
  int Add(std::string name, std::vector<int> from);
  int AvgPool(std::string name, int from, int kernel, int stride, int padding, bool count_include_pad);
  int Zero(std::string name, int from);
  int ChannelShuffle(std::string name, int from, int groups);
  int GlobalAvgPool(std::string name, int from);
  int Linear(std::string name, int from, int out_features, std::vector<float> weight, std::vector<float> bias);
  int HardSigmoid(std::string name, int from);
  int HardSwish(std::string name, int from);
  // `from` (C x H x W) times `gate` (C x 1 x 1, the same C); other shapes throw Error naming the layer.
  int ChannelMul(std::string name, int from, int gate);

  const std::vector<Layer>& layers() const { return layers_; }
  const Layer& layer(int i) const { return layers_.at(static_cast<std::size_t>(i)); }
  const LayerShape& input_shape() const { return layers_.front().shape; }
  // The network's output: the last layer added.
  int output() const { return static_cast<int>(layers_.size()) - 1; }

  // Number of weights (conv, linear, and the batch norm's scale and shift, as LibTorch counts
  // trainable parameters).
  std::int64_t ParameterCount() const;
  // Multiply-adds of one image through conv and linear layers: each weight once per output
  // position (biases, batch norms, activations, pooling and channel_mul are not counted).
  std::int64_t MultiplyAdds() const;

 private:
  int Append(Layer layer);
  // A layer of `kind` that keeps its input's shape (relu, hard_sigmoid, hard_swish).
  int Elementwise(LayerKind kind, std::string name, int from);
  const Layer& From(int index, const std::string& name) const;
  std::vector<Layer> layers_;
};

// A batch norm over `from`'s channels, eps 1e-5: the identity (scale 1, bias 0, mean 0, var 1)
// without `rng`; with it, random statistics drawn per channel in this order: mean N(0, 0.1),
// var U(0.5, 2), scale U(0.5, 1.5), bias N(0, 0.1) (networks whose batch norms should not be the
// identity, e.g. for latency-neutral but non-trivial weights).
int AddBatchNorm(NetworkDescription& d, const std::string& name, int from, std::mt19937_64* rng);

}  // namespace simnas
