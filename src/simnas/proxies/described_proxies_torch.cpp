// Fast and reference implementations of the proxies over a network description (see
// described_proxies.h).
//
// Both run the network's NetworkDescription. The fast path interprets it directly:
// - NASWOT: no autograd, channels-last tensors (oneDNN's layout), batch-statistics BatchNorm,
//   every coded activation's input bit-packed once into NaswotCodes and K counted by popcount;
//   the tensors of a layer are freed after their last reader, and nothing after the last coded
//   activation is computed (later layers cannot change a code).
// - LogSynflow: in double, BatchNorm skipped, ReLU skipped (with |weights| and an all-ones input
//   every value is >= 0, so ReLU is the identity), gradients of R taken for the conv and linear
//   weights only with torch::autograd::grad.
// The reference path is DescribedNetwork's own forward (DescribedRunOptions): an observer of the
// coded activations' outputs (positive exactly where their inputs are) building K by matrix
// products in double (exact integers), and LogSynflow by backward() through every layer,
// BatchNorm bypassed and ReLU applied.
#include "simnas/proxies/described_proxies.h"

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/data/cifar.h"
#include "simnas/network/described_network.h"
#include "simnas/proxies/naswot_kernel.h"
#include "simnas/proxies/proxy_network.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

constexpr int kBatchImages = 64;
constexpr double kSynflowEpsilon = 1e-6;
const auto kChannelsLast = torch::MemoryFormat::ChannelsLast;
// LogSynflow's layout: double convolutions have no oneDNN kernel; measured faster in NCHW.
const auto kSynflowFormat = torch::MemoryFormat::Contiguous;

ParallelFor TorchParallelFor() {
  return [](std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
    at::parallel_for(0, n, 1, [&](std::int64_t begin, std::int64_t end) { body(begin, end); });
  };
}

// A description's weights as a tensor of its documented layout.
torch::Tensor Weight(const NetworkDescription& d, const Layer& l, torch::ScalarType type, bool absolute,
                     torch::MemoryFormat conv_format = kChannelsLast) {
  const std::int64_t out = l.shape.channels;
  const std::int64_t in = d.layer(l.inputs[0]).shape.channels;
  torch::Tensor w = torch::from_blob(const_cast<float*>(l.weight.data()), {static_cast<std::int64_t>(l.weight.size())},
                                     torch::kFloat);
  w = l.kind == LayerKind::kConv ? w.view({out, in / l.groups, l.kernel, l.kernel}) : w.view({out, in});
  if (absolute) w = w.abs();
  w = w.to(type);
  return l.kind == LayerKind::kConv ? w.contiguous(conv_format) : w.contiguous();
}

// For each layer, the last layer that reads it (so its tensor can be freed after that).
std::vector<std::size_t> LastReaders(const NetworkDescription& d) {
  std::vector<std::size_t> last(d.layers().size(), 0);
  for (std::size_t i = 0; i < d.layers().size(); ++i) {
    for (int from : d.layers()[i].inputs) last[static_cast<std::size_t>(from)] = i;
  }
  return last;
}

torch::Tensor Shuffle(const torch::Tensor& in, int groups) {
  const auto b = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3);
  return in.view({b, groups, c / groups, h, w}).transpose(1, 2).reshape({b, c, h, w});
}

// The layers NASWOT codes: every ReLU and h-swish whose output is a feature map, i.e. not
// computed from a global average pool alone (the squeeze-and-excitation branch's and the head's
// vectors are not coded).
std::vector<bool> CodedLayers(const NetworkDescription& d) {
  const std::vector<Layer>& layers = d.layers();
  std::vector<bool> pooled(layers.size(), false), coded(layers.size(), false);
  for (std::size_t i = 1; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    bool all_pooled = !l.inputs.empty();
    for (int from : l.inputs) all_pooled = all_pooled && pooled[static_cast<std::size_t>(from)];
    pooled[i] = l.kind == LayerKind::kGlobalAvgPool || all_pooled;
    coded[i] = !pooled[i] && (l.kind == LayerKind::kRelu || l.kind == LayerKind::kHardSwish);
  }
  return coded;
}

double FastNaswot(const NetworkDescription& d, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const std::vector<Layer>& layers = d.layers();
  const std::vector<bool> coded = CodedLayers(d);
  std::size_t last_relu = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (coded[i]) last_relu = i;
  }
  const std::vector<std::size_t> last_reader = LastReaders(d);
  const ParallelFor parallel = TorchParallelFor();
  NaswotCodes codes(static_cast<int>(images.size(0)));
  std::vector<torch::Tensor> out(layers.size());
  out[0] = images;
  for (std::size_t i = 1; i <= last_relu; ++i) {
    const Layer& l = layers[i];
    const torch::Tensor& in = out[static_cast<std::size_t>(l.inputs[0])];
    switch (l.kind) {
      case LayerKind::kConv: {
        const torch::Tensor bias = l.bias.empty() ? torch::Tensor() : torch::tensor(l.bias, torch::kFloat);
        out[i] = torch::conv2d(in, Weight(d, l, torch::kFloat, false), bias, l.stride, l.padding, 1, l.groups);
        break;
      }
      case LayerKind::kBatchNorm: {
        const torch::Tensor scale = torch::tensor(l.scale, torch::kFloat);
        const torch::Tensor shift = torch::tensor(l.bias, torch::kFloat);
        out[i] = torch::batch_norm(in, scale, shift, {}, {}, /*training=*/true, 0.1, l.eps, false);
        break;
      }
      case LayerKind::kRelu:
      case LayerKind::kHardSwish: {
        const torch::Tensor x = in.contiguous(kChannelsLast);
        if (coded[i]) codes.Add(x.data_ptr<float>(), l.shape.numel(), x.stride(0), 1, parallel);
        out[i] = i == last_relu ? torch::Tensor()
                 : l.kind == LayerKind::kRelu ? torch::relu(x)
                                              : torch::hardswish(x);
        break;
      }
      case LayerKind::kHardSigmoid: out[i] = torch::hardsigmoid(in); break;
      case LayerKind::kChannelMul: out[i] = in * out[static_cast<std::size_t>(l.inputs[1])]; break;
      case LayerKind::kGlobalAvgPool: out[i] = in.mean({2, 3}, /*keepdim=*/true); break;
      case LayerKind::kAdd: {
        torch::Tensor sum = in;
        for (std::size_t k = 1; k < l.inputs.size(); ++k) sum = sum + out[static_cast<std::size_t>(l.inputs[k])];
        out[i] = sum;
        break;
      }
      case LayerKind::kChannelShuffle: out[i] = Shuffle(in, l.groups).contiguous(kChannelsLast); break;
      default:
        throw Error(fmt::format("NASWOT: layer {} ('{}') of kind {} before the last coded activation is not supported", i,
                                l.name, LayerKindName(l.kind)));
    }
    for (int from : l.inputs) {
      if (last_reader[static_cast<std::size_t>(from)] == i) out[static_cast<std::size_t>(from)] = torch::Tensor();
    }
  }
  return LogAbsDet(codes.Kernel(parallel), codes.images());
}

// A depthwise convolution (groups == channels, no bias) as k x k shifted multiply-adds: LibTorch
// has no fast double kernel for it (its CPU fallback loops over the groups), this is vectorized
// and autograd-friendly. x: [N, C, H, W]; w: [C, 1, k, k].
torch::Tensor DepthwiseConv(const torch::Tensor& x, const torch::Tensor& w, int stride, int padding) {
  const std::int64_t k = w.size(2);
  const torch::Tensor p = torch::constant_pad_nd(x, {padding, padding, padding, padding}, 0.0);
  const std::int64_t ho = (x.size(2) + 2 * padding - k) / stride + 1;
  const std::int64_t wo = (x.size(3) + 2 * padding - k) / stride + 1;
  const std::int64_t c = w.size(0);
  torch::Tensor out;
  for (std::int64_t i = 0; i < k; ++i) {
    for (std::int64_t j = 0; j < k; ++j) {
      const torch::Tensor window = p.slice(2, i, i + (ho - 1) * stride + 1, stride).slice(3, j, j + (wo - 1) * stride + 1, stride);
      const torch::Tensor term = window * w.select(3, j).select(2, i).view({1, c, 1, 1});
      out = out.defined() ? out + term : term;
    }
  }
  return out;
}

// LogSynflow and SynFlow (zoo.h) from one backward.
struct SynflowPair {
  double logsynflow = 0;
  double synflow = 0;
};

SynflowPair FastLogSynflow(const NetworkDescription& d) {
  const std::vector<Layer>& layers = d.layers();
  std::vector<torch::Tensor> leaves;
  std::vector<torch::Tensor> out(layers.size());
  const LayerShape input = d.input_shape();
  out[0] = torch::ones({1, input.channels, input.height, input.width}, torch::kDouble);
  for (std::size_t i = 1; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const torch::Tensor& in = out[static_cast<std::size_t>(l.inputs[0])];
    switch (l.kind) {
      case LayerKind::kConv:
      case LayerKind::kLinear: {
        torch::Tensor w = Weight(d, l, torch::kDouble, /*absolute=*/true, kSynflowFormat);
        w.requires_grad_(true);
        leaves.push_back(w);
        // A bias (|b|) adds to the values but has no gradient counted; keep it for the forward values.
        const torch::Tensor bias =
            l.bias.empty() ? torch::Tensor() : torch::tensor(l.bias, torch::kFloat).abs().to(torch::kDouble);
        const std::int64_t in_channels = d.layer(l.inputs[0]).shape.channels;
        if (l.kind == LayerKind::kLinear) {
          out[i] = torch::nn::functional::linear(in.flatten(1), w, bias);
        } else if (l.groups > 1 && l.groups == in_channels && l.groups == l.shape.channels && !bias.defined()) {
          out[i] = DepthwiseConv(in, w, l.stride, l.padding);
        } else {
          out[i] = torch::conv2d(in, w, bias, l.stride, l.padding, 1, l.groups);
        }
        break;
      }
      case LayerKind::kBatchNorm:  // bypassed
      case LayerKind::kRelu:       // the identity on values >= 0
        out[i] = in;
        break;
      case LayerKind::kHardSwish: out[i] = torch::hardswish(in); break;
      case LayerKind::kHardSigmoid: out[i] = torch::hardsigmoid(in); break;
      case LayerKind::kChannelMul: out[i] = in * out[static_cast<std::size_t>(l.inputs[1])]; break;
      case LayerKind::kAdd: {
        torch::Tensor sum = in;
        for (std::size_t k = 1; k < l.inputs.size(); ++k) sum = sum + out[static_cast<std::size_t>(l.inputs[k])];
        out[i] = sum;
        break;
      }
      case LayerKind::kChannelShuffle: out[i] = Shuffle(in, l.groups); break;
      case LayerKind::kGlobalAvgPool: out[i] = in.mean({2, 3}, /*keepdim=*/true); break;
      default:
        throw Error(fmt::format("LogSynflow: layer {} ('{}') of kind {} is not supported", i, l.name,
                                LayerKindName(l.kind)));
    }
  }
  const torch::Tensor r = out.back().sum();
  const std::vector<torch::Tensor> grads = torch::autograd::grad({r}, leaves, {}, /*retain_graph=*/false,
                                                                 /*create_graph=*/false, /*allow_unused=*/true);
  torch::NoGradGuard no_grad;
  SynflowPair total;
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    const torch::Tensor w = leaves[k].detach();
    const torch::Tensor g = grads[k].defined() ? grads[k] : torch::zeros_like(w);
    total.logsynflow += (w * torch::log(g + kSynflowEpsilon)).abs().sum().item<double>();
    total.synflow += (w * g).sum().item<double>();
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// Reference implementations: DescribedNetwork's own forward.

double ReferenceNaswot(const NetworkDescription& d, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  DescribedNetwork net(d);
  const std::int64_t n = images.size(0);
  torch::Tensor k = torch::zeros({n, n}, torch::kDouble);
  DescribedRunOptions options;
  options.batch_statistics = true;
  const std::vector<bool> coded = CodedLayers(d);
  options.layer_output = [&](int layer, const torch::Tensor& y) {
    if (!coded[static_cast<std::size_t>(layer)]) return;
    const torch::Tensor c = (y > 0).flatten(1).to(torch::kDouble);
    k += torch::mm(c, c.t()) + torch::mm(1 - c, (1 - c).t());
  };
  net->Run(images.contiguous(), options);
  const torch::Tensor kl = k.round().to(torch::kLong).contiguous();
  const std::vector<std::int64_t> kv(kl.data_ptr<std::int64_t>(), kl.data_ptr<std::int64_t>() + kl.numel());
  return LogAbsDet(kv, static_cast<int>(n));
}

SynflowPair ReferenceLogSynflow(const NetworkDescription& d) {
  DescribedNetwork net(d);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.abs_();
  }
  net->to(torch::kDouble);
  const LayerShape input = d.input_shape();
  DescribedRunOptions options;
  options.bypass_batch_norm = true;
  net->Run(torch::ones({1, input.channels, input.height, input.width}, torch::kDouble), options).sum().backward();
  SynflowPair total;
  for (const torch::Tensor& w : net->ConvAndLinearWeights()) {
    const torch::Tensor g = w.grad().defined() ? w.grad() : torch::zeros_like(w);
    total.logsynflow += (w.detach() * torch::log(g + kSynflowEpsilon)).abs().sum().item<double>();
    total.synflow += (w.detach() * g).sum().item<double>();
  }
  return total;
}

// The zoo proxies of `proxies` but synflow (the caller's) on the proxy network `p`: the
// NAS-Bench-201 zoo's fast path over DescribedNetwork in training mode, its layer features.
ZooValues ZooOnDescription(const ProxyNetwork& p, const proxy_internal::ZooBatches& batches, ZooMask proxies) {
  proxies = static_cast<ZooMask>(proxies & ~ZooMaskOf("synflow"));
  const NetworkDescription& d = p.description;
  std::optional<proxy_internal::ZooNetwork> zoo_net;
  if (proxy_internal::ZooNeedsNetwork(proxies)) {
    DescribedNetwork net(d);
    net->train();
    {
      torch::NoGradGuard no_grad;  // conv weights channels-last, as the input (oneDNN's faster layout here)
      for (torch::Tensor& w : net->ConvAndLinearWeights()) {
        if (w.dim() == 4) w.set_data(w.detach().contiguous(kChannelsLast));
      }
    }
    zoo_net = proxy_internal::DescribedZooNetwork(net, p.feature_layers);
  }
  return proxy_internal::ZooOnNetwork(zoo_net ? &*zoo_net : nullptr, batches, p.seed, proxies,
                                      static_cast<double>(d.ParameterCount()), static_cast<double>(d.MultiplyAdds()));
}

// The CIFAR-10 sample at `size` x `size` (normalized NCHW float images): as stored at 32,
// otherwise resized bilinearly (half-pixel centres, no antialiasing).
torch::Tensor AtSize(const torch::Tensor& images, int size) {
  if (size == images.size(2)) return images;
  namespace F = torch::nn::functional;
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<std::int64_t>{size, size})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace

// The evaluator behind DescribedProxyEvaluator (described_proxies.h).
class TorchDescribedProxyEvaluator : public DescribedProxyEvaluator::Backend {
 public:
  TorchDescribedProxyEvaluator(const fs::path& cifar_sample, const DescribedProxyOptions& options);
  DescribedProxyValues Evaluate(const ProxyNetwork& p) override;
  double Naswot(const ProxyNetwork& p) override;
  double LogSynflow(const ProxyNetwork& p) override;
  ZooValues Zoo(const ProxyNetwork& p, ZooMask proxies) override;

 private:
  // The images at one input size.
  struct Inputs {
    torch::Tensor naswot;            // [64, 3, s, s], normalized, channels-last
    proxy_internal::ZooBatches zoo;  // the zoo's two mini-batches of kDescribedZooImages
  };
  const Inputs& InputsFor(const NetworkDescription& d);
  double NaswotOf(const NetworkDescription& d);
  SynflowPair SynflowOf(const NetworkDescription& d) const;

  DescribedProxyOptions options_;
  torch::Tensor images_;                   // [64, 3, 32, 32], normalized, NCHW
  proxy_internal::ZooBatches zoo_;         // at 32 x 32
  std::map<int, Inputs> inputs_;           // by input size
};

TorchDescribedProxyEvaluator::TorchDescribedProxyEvaluator(const fs::path& cifar_sample,
                                                           const DescribedProxyOptions& options)
    : options_(options) {
  proxy_internal::SetUpProxyThreads(options.threads);
  const ImageSet set = LoadCifarImages(cifar_sample);
  if (set.count < kBatchImages) {
    throw DataError(fmt::format("{}: {} images, NASWOT needs {}", cifar_sample.string(), set.count, kBatchImages));
  }
  images_ = proxy_internal::NormalizedCifar(set, kBatchImages).contiguous();
  zoo_ = proxy_internal::MakeZooBatches(set, kDescribedZooImages, 32);
}

const TorchDescribedProxyEvaluator::Inputs& TorchDescribedProxyEvaluator::InputsFor(const NetworkDescription& d) {
  const LayerShape shape = d.input_shape();
  if (shape.channels != 3 || shape.height != shape.width) {
    throw Error(fmt::format("proxies: the network takes {}x{}x{} inputs, not square RGB images", shape.channels,
                            shape.height, shape.width));
  }
  const int size = shape.height;
  auto it = inputs_.find(size);
  if (it == inputs_.end()) {
    Inputs in;
    in.naswot = AtSize(images_, size).contiguous(kChannelsLast);
    in.zoo = zoo_;
    for (torch::Tensor& batch : in.zoo.images) batch = AtSize(batch, size).contiguous();
    it = inputs_.emplace(size, std::move(in)).first;
  }
  return it->second;
}

double TorchDescribedProxyEvaluator::NaswotOf(const NetworkDescription& d) {
  const torch::Tensor& images = InputsFor(d).naswot;
  return options_.reference_implementation ? ReferenceNaswot(d, images) : FastNaswot(d, images);
}

SynflowPair TorchDescribedProxyEvaluator::SynflowOf(const NetworkDescription& d) const {
  return options_.reference_implementation ? ReferenceLogSynflow(d) : FastLogSynflow(d);
}

double TorchDescribedProxyEvaluator::Naswot(const ProxyNetwork& p) { return NaswotOf(p.description); }

double TorchDescribedProxyEvaluator::LogSynflow(const ProxyNetwork& p) { return SynflowOf(p.description).logsynflow; }

ZooValues TorchDescribedProxyEvaluator::Zoo(const ProxyNetwork& p, ZooMask proxies) {
  proxy_internal::CheckZooMask(proxies);
  ZooValues z = ZooOnDescription(p, InputsFor(p.description).zoo, proxies);
  if (ZooMaskHas(proxies, "synflow")) z["synflow"] = SynflowOf(p.description).synflow;
  return z;
}

DescribedProxyValues TorchDescribedProxyEvaluator::Evaluate(const ProxyNetwork& p) {
  proxy_internal::CheckZooMask(options_.zoo);
  const NetworkDescription& d = p.description;
  DescribedProxyValues v;
  v.naswot = NaswotOf(d);
  const SynflowPair synflow = SynflowOf(d);
  v.logsynflow = synflow.logsynflow;
  v.params = d.ParameterCount();
  v.flops = d.MultiplyAdds();
  if (options_.zoo != kNoZooProxies) {
    v.zoo = ZooOnDescription(p, InputsFor(d).zoo, options_.zoo);
    if (ZooMaskHas(options_.zoo, "synflow")) (*v.zoo)["synflow"] = synflow.synflow;
  }
  return v;
}

}  // namespace simnas

simnas::DescribedProxyEvaluator::Backend* simnas_torch_new_described_proxy_evaluator(
    const std::filesystem::path& cifar_sample, const simnas::DescribedProxyOptions& options) {
  return new simnas::TorchDescribedProxyEvaluator(cifar_sample, options);
}
