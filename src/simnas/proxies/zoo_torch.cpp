// The proxy zoo's two implementations (formulas and departures in zoo.h).
//
// Fast path: one network (already built by the caller and shared with NASWOT / LogSynflow),
// channels-last weights and images, one forward of the first mini-batch read by MeCo, the AZ-NAS
// components, jacov (an input-gradient backward) and the first loss gradient, one forward of the
// second mini-batch for the second loss gradient; GradNorm, SNIP and ZiCo read the same two
// gradients; params and FLOPs in closed form from the cell. Both forwards run each cell's live
// edges only (the dead ones add exact zeros; RunLayers). With a subset (ZooMask), only the
// passes the asked proxies read run, in the same order (zoo.h: "Contract of a subset").
// Reference path: every proxy on its own, from a freshly built network (same seed, same
// weights), default layout, the statistics in double with plain loops; params and FLOPs from the
// built network's modules.
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/proxies/proxy_network.h"
#include "simnas/spaces/nb201/cell_structure.h"

namespace simnas {

namespace proxy_internal {
namespace {

constexpr double kJacovK = 1e-5;
constexpr double kEntropyEps = 1e-8;
constexpr double kTrainabilityEps = 1e-6;
const auto kChannelsLast = torch::MemoryFormat::ChannelsLast;
const double kMinusInf = -std::numeric_limits<double>::infinity();

// The TinyNetwork forward, keeping the 18 layer features; with `live` (LiveEdgeMask), each cell
// runs its live edges only (CellModuleImpl::RunEdges). A dead edge's output is exactly zero
// (x * 0, or a ReLU-Conv-BN, pooling or identity of an all-zero node), and so are the gradients
// through it (a ReLU of zeros passes none back) and those of its weights: every proxy's value is
// the full network's. A cell without a live edge outputs x * 0 as the full cell does, so the next
// layer's input stays in the graph (AZ-NAS's trainability differentiates a layer by its input).
LayerForward RunLayers(TinyNetworkImpl& net, const torch::Tensor& x, std::optional<std::uint8_t> live = {}) {
  LayerForward f;
  torch::Tensor h = net.stem_bn->forward(net.stem_conv->forward(x));
  f.features.push_back(h);
  std::size_t next_cell = 0, next_reduction = 0;
  for (bool reduction : net.is_reduction) {
    if (reduction) {
      h = net.reductions[next_reduction++]->forward(h);
    } else {
      CellModuleImpl& module = *net.cells[next_cell++];
      h = live ? module.RunEdges(h, *live) : module.forward(h);
    }
    f.features.push_back(h);
  }
  f.logits = net.classifier->forward(torch::relu(net.head_bn->forward(h)).mean({2, 3}));
  return f;
}

// Conv weights in channels-last layout (oneDNN's faster layout here; activations follow the input's).
void ToChannelsLast(TinyNetworkImpl& net) {
  torch::NoGradGuard no_grad;
  for (const auto& module : net.modules()) {
    if (auto* conv = module->as<torch::nn::Conv2dImpl>()) {
      conv->weight.set_data(conv->weight.detach().contiguous(kChannelsLast));
    }
  }
}

// Every conv and linear weight, in module order.
std::vector<torch::Tensor> ConvLinearWeights(TinyNetworkImpl& net) {
  std::vector<torch::Tensor> w;
  for (const auto& module : net.modules()) {
    if (auto* conv = module->as<torch::nn::Conv2dImpl>()) w.push_back(conv->weight);
    if (auto* linear = module->as<torch::nn::LinearImpl>()) w.push_back(linear->weight);
  }
  return w;
}

// The Rademacher tensors of AZ-NAS's trainability, for pairs l = L..1 in that order, drawn from
// a std::mt19937_64 seeded by the network seed: each 64-bit draw gives the signs of 64
// consecutive elements (bit k: element k, 1 is +1, 0 is -1), in the tensor's contiguous (NCHW)
// order. The same draws in both paths. (torch::bernoulli, one generator call per element, took
// ~45 ms of a cell's zoo on one thread.)
std::vector<torch::Tensor> RademacherDraws(const std::vector<torch::Tensor>& features, std::uint64_t seed) {
  // The 8 signs of each byte value, copied 8 at a time.
  static const std::array<std::array<float, 8>, 256> kSigns = [] {
    std::array<std::array<float, 8>, 256> t{};
    for (std::size_t v = 0; v < 256; ++v) {
      for (std::size_t k = 0; k < 8; ++k) t[v][k] = ((v >> k) & 1) != 0 ? 1.0f : -1.0f;
    }
    return t;
  }();
  std::mt19937_64 rng(seed ^ 0x5a5a5a5a5a5aULL);
  std::vector<torch::Tensor> draws(features.size());
  for (std::size_t l = features.size() - 1; l >= 1; --l) {
    torch::Tensor d = torch::empty(features[l].sizes(), torch::kFloat);
    float* p = d.data_ptr<float>();
    const std::int64_t n = d.numel();
    std::int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
      std::uint64_t bits = rng();
      for (std::int64_t byte = 0; byte < 8; ++byte, bits >>= 8) {
        std::copy_n(kSigns[bits & 0xff].data(), 8, p + i + 8 * byte);
      }
    }
    if (i < n) {
      std::uint64_t bits = rng();
      for (std::int64_t k = i; k < n; ++k, bits >>= 1) p[k] = (bits & 1) != 0 ? 1.0f : -1.0f;
    }
    draws[l] = d;
  }
  return draws;
}

double TrainabilityTerm(const torch::Tensor& g_out, torch::Tensor g_in, bool exact_double) {
  if (g_out.sizes() == g_in.sizes() && torch::equal(g_in, g_out)) return kMinusInf;
  if (g_in.size(2) != g_out.size(2)) {
    // A stride-f step: f x f input pixels per output pixel. An odd input size (a padded stride-2
    // conv maps 2k+1 pixels to k+1) is zero-padded at the bottom and right to f times the output's.
    const std::int64_t f = (g_in.size(2) + g_out.size(2) - 1) / g_out.size(2);
    const std::int64_t pad_h = f * g_out.size(2) - g_in.size(2), pad_w = f * g_out.size(3) - g_in.size(3);
    if (pad_h != 0 || pad_w != 0) g_in = torch::constant_pad_nd(g_in, {0, pad_w, 0, pad_h}, 0.0);
    g_in = torch::pixel_unshuffle(g_in, f);
  }
  const std::int64_t n = g_out.size(0) * g_out.size(2) * g_out.size(3);
  torch::Tensor out = g_out.permute({0, 2, 3, 1}).reshape({n, g_out.size(1)});
  torch::Tensor in = g_in.permute({0, 2, 3, 1}).reshape({n, g_in.size(1)});
  if (exact_double) {
    out = out.to(torch::kDouble);
    in = in.to(torch::kDouble);
  }
  torch::Tensor mat = torch::mm(in.t(), out) / static_cast<double>(n);
  if (mat.size(0) < mat.size(1)) mat = mat.t();
  const double s = torch::linalg_svdvals(mat).max().item<double>();
  return -s - 1 / (s + kTrainabilityEps) + 2;
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double Entropy(const torch::Tensor& eigenvalues) {
  const torch::Tensor s = eigenvalues.to(torch::kDouble).clamp_min(0);
  const torch::Tensor p = s / s.sum();
  return (-p * torch::log(p + kEntropyEps)).sum().item<double>();
}

// The smallest increase of the entropy between consecutive layers; NaN when any entropy is
// undefined (numpy's min propagates NaN, which AZ-NAS then maps to -inf).
double Progressivity(const std::vector<double>& entropy) {
  double progressivity = std::numeric_limits<double>::infinity();
  for (std::size_t l = 1; l < entropy.size(); ++l) {
    const double increase = entropy[l] - entropy[l - 1];
    if (std::isnan(increase)) return std::numeric_limits<double>::quiet_NaN();
    progressivity = std::min(progressivity, increase);
  }
  return progressivity;
}

double JacovScore(const torch::Tensor& correlation) {
  const torch::Tensor v = torch::linalg_eigvalsh(correlation);
  return -(torch::log(v + kJacovK) + 1 / (v + kJacovK)).sum().item<double>();
}

// ---------------------------------------------------------------------------------------
// Fast path

// The zoo proxies that read the network (all but the closed-form params, flops, az_complexity).
ZooMask NetworkProxies() { return static_cast<ZooMask>(kAllZooProxies & ~ZooMaskOf({"params", "flops", "az_complexity"})); }

// The passes of the asked proxies only, in the full run's order (zoo.h: "Contract of a subset").
// Values not asked stay NaN. `net` may be null when no asked proxy reads the network.
ZooValues ZooOnNetworkImpl(const ZooNetwork* net_or_null, const ZooBatches& batches, std::uint64_t seed,
                           ZooMask proxies, double params, double flops) {
  const auto asked = [&](std::string_view name) { return ZooMaskHas(proxies, name); };
  ZooValues z;
  z.values.fill(std::numeric_limits<double>::quiet_NaN());

  // Everything below "synflow" in NetworkProxies() reads the forward of mini-batch 1 (synflow is
  // the caller's).
  const ZooMask forward_proxies = static_cast<ZooMask>(NetworkProxies() & ~ZooMaskOf("synflow"));
  if ((proxies & forward_proxies) != 0) {
    if (net_or_null == nullptr) throw std::logic_error("ZooOnNetwork: no network for proxies that need one");
    const ZooNetwork& net = *net_or_null;
    const std::vector<torch::Tensor>& weights = net.weights;

    const torch::Tensor x = batches.images[0].clone(kChannelsLast).requires_grad_(true);
    const LayerForward f = net.run(x);
    const std::size_t layers = f.features.size();

    if (asked("meco")) {  // MeCo: the features, no gradient.
      torch::NoGradGuard no_grad;
      double meco = 0;
      for (const torch::Tensor& feature : f.features) {
        const std::int64_t c = feature.size(1);
        const torch::Tensor first = feature[0].reshape({c, -1});
        const torch::Tensor corr = torch::nan_to_num(torch::corrcoef(first), 0.0, 0.0, 0.0);
        meco += torch::linalg_eigvalsh(corr).min().item<double>();
      }
      z["meco"] = meco;
    }
    if (asked("az_expressivity") || asked("az_progressivity")) {  // AZ-NAS expressivity / progressivity
      torch::NoGradGuard no_grad;
      std::vector<double> entropy;
      for (const torch::Tensor& feature : f.features) {
        const std::int64_t c = feature.size(1);
        torch::Tensor rows = feature.permute({0, 2, 3, 1}).reshape({-1, c});
        rows = rows - rows.mean(0, true);
        const torch::Tensor sigma = torch::mm(rows.t(), rows) / static_cast<double>(rows.size(0));
        entropy.push_back(Entropy(torch::linalg_eigvalsh(sigma)));
      }
      double expressivity = 0;
      for (double e : entropy) expressivity += e;
      if (asked("az_expressivity")) z["az_expressivity"] = expressivity;
      if (asked("az_progressivity")) z["az_progressivity"] = Progressivity(entropy);
    }

    if (asked("jacov")) {  // jacov: the input gradient of the summed logits.
      const torch::Tensor j = torch::autograd::grad({f.logits.sum()}, {x}, {}, /*retain_graph=*/true)[0];
      const torch::Tensor rows = j.detach().reshape({j.size(0), -1}).to(torch::kDouble);
      if ((rows.std(1) == 0).any().item<bool>()) {
        z["jacov"] = kMinusInf;
      } else {
        z["jacov"] = JacovScore(torch::corrcoef(rows));
      }
    }

    if (asked("az_trainability")) {  // AZ-NAS trainability: one layer's backward per pair, on the shared graph.
      const std::vector<torch::Tensor> draws = RademacherDraws(f.features, seed);
      std::vector<double> terms;
      for (std::size_t l = layers - 1; l >= 1; --l) {
        const torch::Tensor g_out = draws[l].contiguous(kChannelsLast);
        torch::Tensor g_in = torch::autograd::grad({f.features[l]}, {f.features[l - 1]}, {g_out}, /*retain_graph=*/true,
                                                   /*create_graph=*/false, /*allow_unused=*/true)[0];
        if (!g_in.defined()) g_in = torch::zeros_like(f.features[l - 1]);
        terms.push_back(TrainabilityTerm(g_out, g_in, /*exact_double=*/false));
      }
      z["az_trainability"] = Mean(terms);
    }

    if (asked("zico") || asked("grad_norm") || asked("snip")) {
      // The two loss gradients (the first frees the shared graph).
      std::array<std::vector<torch::Tensor>, 2> grads;
      grads[0] = torch::autograd::grad({torch::nn::functional::cross_entropy(f.logits, batches.labels[0])}, weights, {},
                                       /*retain_graph=*/false, /*create_graph=*/false, /*allow_unused=*/true);
      {
        const torch::Tensor logits = net.run(batches.images[1].contiguous(kChannelsLast)).logits;
        grads[1] = torch::autograd::grad({torch::nn::functional::cross_entropy(logits, batches.labels[1])}, weights, {},
                                         false, false, true);
      }
      torch::NoGradGuard no_grad;
      // One pass over each tensor's elements, in double (the same formulas as per-tensor torch
      // ops, without their ~15 temporaries per tensor).
      double zico = 0, grad_norm = 0, snip = 0;
      for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!grads[0][i].defined() || !grads[1][i].defined()) continue;
        // The same element order for the three (the weights and their gradients are channels-last).
        const torch::Tensor g0 = grads[0][i].contiguous(), g1 = grads[1][i].contiguous();
        const torch::Tensor w = weights[i].detach().contiguous();
        const float* a = g0.data_ptr<float>();
        const float* b = g1.data_ptr<float>();
        const float* wp = w.data_ptr<float>();
        double s = 0, squares = 0, saliency = 0;
        for (std::int64_t k = 0; k < g0.numel(); ++k) {
          const double x = a[k], y = b[k];
          const double sd = std::abs(x - y) / 2;
          if (sd != 0) s += (std::abs(x) + std::abs(y)) / 2 / sd;
          const double g = (x + y) / 2;
          squares += g * g;
          saliency += std::abs(static_cast<double>(wp[k]) * g);
        }
        if (s > 0) zico += std::log(s);
        grad_norm += std::sqrt(squares);
        snip += saliency;
      }
      if (asked("zico")) z["zico"] = zico;
      if (asked("grad_norm")) z["grad_norm"] = grad_norm;
      if (asked("snip")) z["snip"] = snip;
    }
  }
  if (asked("params")) z["params"] = params;
  if (asked("flops")) z["flops"] = flops;
  if (asked("az_complexity")) z["az_complexity"] = flops;
  return z;
}

// NAS-Bench-201's TinyNetwork as a ZooNetwork: channels-last conv weights (oneDNN's faster
// layout here), training mode, each cell's live edges only (RunLayers).
ZooValues FastZooImpl(TinyNetworkImpl* net_or_null, const Cell& cell, Dataset dataset, const ZooBatches& batches,
                      std::uint64_t seed, ZooMask proxies) {
  std::optional<ZooNetwork> net;
  if (net_or_null != nullptr && (proxies & NetworkProxies() & ~ZooMaskOf("synflow")) != 0) {
    TinyNetworkImpl& tiny = *net_or_null;
    ToChannelsLast(tiny);
    tiny.train();
    net = ZooNetwork{[&tiny, live = LiveEdgeMask(cell)](const torch::Tensor& x) { return RunLayers(tiny, x, live); },
                     ConvLinearWeights(tiny)};
  }
  return ZooOnNetworkImpl(net ? &*net : nullptr, batches, seed, proxies, ZooParams(cell, dataset),
                          ZooFlops(cell, dataset));
}

// ---------------------------------------------------------------------------------------
// Reference path

// Pearson correlation of the rows of `m` (r x n) in double, by loops; a constant row's entries are 0.
std::vector<double> PearsonRows(const torch::Tensor& m, bool* constant_row = nullptr) {
  const torch::Tensor d = m.to(torch::kDouble).contiguous();
  const std::int64_t r = d.size(0), n = d.size(1);
  const double* p = d.data_ptr<double>();
  std::vector<double> mean(static_cast<std::size_t>(r), 0), norm(static_cast<std::size_t>(r), 0);
  for (std::int64_t i = 0; i < r; ++i) {
    for (std::int64_t k = 0; k < n; ++k) mean[static_cast<std::size_t>(i)] += p[i * n + k];
    mean[static_cast<std::size_t>(i)] /= static_cast<double>(n);
    for (std::int64_t k = 0; k < n; ++k) {
      const double c = p[i * n + k] - mean[static_cast<std::size_t>(i)];
      norm[static_cast<std::size_t>(i)] += c * c;
    }
    if (norm[static_cast<std::size_t>(i)] == 0 && constant_row != nullptr) *constant_row = true;
  }
  std::vector<double> corr(static_cast<std::size_t>(r * r), 0);
  for (std::int64_t i = 0; i < r; ++i) {
    for (std::int64_t j = 0; j < r; ++j) {
      double dot = 0;
      for (std::int64_t k = 0; k < n; ++k) {
        dot += (p[i * n + k] - mean[static_cast<std::size_t>(i)]) * (p[j * n + k] - mean[static_cast<std::size_t>(j)]);
      }
      const double denominator = std::sqrt(norm[static_cast<std::size_t>(i)] * norm[static_cast<std::size_t>(j)]);
      corr[static_cast<std::size_t>(i * r + j)] = denominator > 0 ? dot / denominator : 0.0;
    }
  }
  return corr;
}

torch::Tensor Square(std::vector<double> v) {
  const auto r = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(v.size()))));
  return torch::from_blob(v.data(), {r, r}, torch::kDouble).clone();
}

double ReferenceMeco(TinyNetworkImpl& net, const ZooBatches& b) {
  torch::NoGradGuard no_grad;
  net.train();
  const LayerForward f = RunLayers(net, b.images[0].contiguous());
  double meco = 0;
  for (const torch::Tensor& feature : f.features) {
    const torch::Tensor corr = Square(PearsonRows(feature[0].reshape({feature.size(1), -1})));
    meco += torch::linalg_eigvalsh(corr).min().item<double>();
  }
  return meco;
}

void ReferenceExpressivity(TinyNetworkImpl& net, const ZooBatches& b, ZooValues& z) {
  torch::NoGradGuard no_grad;
  net.train();
  const LayerForward f = RunLayers(net, b.images[0].contiguous());
  std::vector<double> entropy;
  for (const torch::Tensor& feature : f.features) {
    // Covariance of the channels over every (image, y, x) position, by loops over channel pairs.
    const std::int64_t c = feature.size(1);
    const torch::Tensor rows = feature.transpose(0, 1).reshape({c, -1}).to(torch::kDouble).contiguous();
    const std::int64_t n = rows.size(1);
    const double* p = rows.data_ptr<double>();
    std::vector<double> mean(static_cast<std::size_t>(c), 0);
    for (std::int64_t i = 0; i < c; ++i) {
      for (std::int64_t k = 0; k < n; ++k) mean[static_cast<std::size_t>(i)] += p[i * n + k];
      mean[static_cast<std::size_t>(i)] /= static_cast<double>(n);
    }
    std::vector<double> sigma(static_cast<std::size_t>(c * c), 0);
    for (std::int64_t i = 0; i < c; ++i) {
      for (std::int64_t j = i; j < c; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < n; ++k) {
          s += (p[i * n + k] - mean[static_cast<std::size_t>(i)]) * (p[j * n + k] - mean[static_cast<std::size_t>(j)]);
        }
        sigma[static_cast<std::size_t>(i * c + j)] = sigma[static_cast<std::size_t>(j * c + i)] = s / static_cast<double>(n);
      }
    }
    entropy.push_back(Entropy(torch::linalg_eigvalsh(Square(sigma))));
  }
  double expressivity = 0;
  for (double e : entropy) expressivity += e;
  z["az_expressivity"] = expressivity;
  z["az_progressivity"] = Progressivity(entropy);
}

double ReferenceTrainability(TinyNetworkImpl& net, const ZooBatches& b, std::uint64_t seed) {
  net.train();
  const LayerForward f = RunLayers(net, b.images[0].contiguous());
  const std::vector<torch::Tensor> draws = RademacherDraws(f.features, seed);
  std::vector<double> terms;
  for (std::size_t l = f.features.size() - 1; l >= 1; --l) {
    torch::Tensor g_in = torch::autograd::grad({f.features[l]}, {f.features[l - 1]}, {draws[l]}, true, false, true)[0];
    if (!g_in.defined()) g_in = torch::zeros_like(f.features[l - 1]);
    terms.push_back(TrainabilityTerm(draws[l], g_in, /*exact_double=*/true));
  }
  return Mean(terms);
}

double ReferenceJacov(TinyNetworkImpl& net, const ZooBatches& b) {
  net.train();
  const torch::Tensor x = b.images[0].contiguous().clone().requires_grad_(true);
  net.forward(x).sum().backward();
  bool constant_row = false;
  const std::vector<double> corr = PearsonRows(x.grad().reshape({x.size(0), -1}), &constant_row);
  if (constant_row) return kMinusInf;
  return JacovScore(Square(corr));
}

// The two mini-batches' loss gradients of every conv and linear weight (undefined if unused).
// ZiCo, a ratio of two gradient samples, amplifies float rounding: computed in the contiguous
// layout it moves by up to a few percent on some cells (measured: 21 of 35 cells off by more
// than 0.2%, up to 2.5%), so these passes run in the fast path's channels-last layout, and the check
// is of the formulas and the sharing, not of the convolution's rounding.
std::array<std::vector<torch::Tensor>, 2> LossGradients(TinyNetworkImpl& net, const ZooBatches& b) {
  ToChannelsLast(net);
  net.train();
  std::array<std::vector<torch::Tensor>, 2> grads;
  for (std::size_t k = 0; k < 2; ++k) {
    net.zero_grad();
    torch::nn::functional::cross_entropy(net.forward(b.images[k].contiguous(kChannelsLast)), b.labels[k]).backward();
    for (const torch::Tensor& w : ConvLinearWeights(net)) {
      grads[k].push_back(w.grad().defined() ? w.grad().clone() : torch::Tensor());
    }
  }
  return grads;
}

double ReferenceZico(TinyNetworkImpl& net, const ZooBatches& b) {
  const auto grads = LossGradients(net, b);
  double zico = 0;
  for (std::size_t i = 0; i < grads[0].size(); ++i) {
    if (!grads[0][i].defined()) continue;
    const torch::Tensor g0 = grads[0][i].to(torch::kDouble).contiguous().flatten();
    const torch::Tensor g1 = grads[1][i].to(torch::kDouble).contiguous().flatten();
    const double* a = g0.data_ptr<double>();
    const double* c = g1.data_ptr<double>();
    double s = 0;
    for (std::int64_t k = 0; k < g0.numel(); ++k) {
      const double mean_abs = (std::abs(a[k]) + std::abs(c[k])) / 2;
      const double mean = (a[k] + c[k]) / 2;
      const double sd = std::sqrt(((a[k] - mean) * (a[k] - mean) + (c[k] - mean) * (c[k] - mean)) / 2);
      if (sd != 0) s += mean_abs / sd;
    }
    if (s > 0) zico += std::log(s);
  }
  return zico;
}

void ReferenceGradNormSnip(TinyNetworkImpl& net, const ZooBatches& b, ZooValues& z) {
  const auto grads = LossGradients(net, b);
  const std::vector<torch::Tensor> weights = ConvLinearWeights(net);
  double grad_norm = 0, snip = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!grads[0][i].defined()) continue;
    const torch::Tensor g0 = grads[0][i].to(torch::kDouble).contiguous().flatten();
    const torch::Tensor g1 = grads[1][i].to(torch::kDouble).contiguous().flatten();
    const torch::Tensor w = weights[i].detach().to(torch::kDouble).contiguous().flatten();
    double squares = 0;
    for (std::int64_t k = 0; k < g0.numel(); ++k) {
      const double g = (g0.data_ptr<double>()[k] + g1.data_ptr<double>()[k]) / 2;
      squares += g * g;
      snip += std::abs(w.data_ptr<double>()[k] * g);
    }
    grad_norm += std::sqrt(squares);
  }
  z["grad_norm"] = grad_norm;
  z["snip"] = snip;
}

// FLOPs from the built network: each conv's weight size times its output positions.
double ReferenceFlops(TinyNetworkImpl& net, Dataset dataset) {
  std::int64_t side = InputSize(dataset);
  double flops = static_cast<double>(net.stem_conv->weight.numel() * side * side);
  std::size_t next_cell = 0, next_reduction = 0;
  for (bool reduction : net.is_reduction) {
    if (reduction) {
      const ReductionBlock& r = net.reductions[next_reduction++];
      side /= 2;
      flops += static_cast<double>(
          (r->conv_a->conv->weight.numel() + r->conv_b->conv->weight.numel() + r->shortcut->weight.numel()) * side * side);
    } else {
      for (const EdgeOp& edge : net.cells[next_cell++]->edges) {
        if (edge->conv) flops += static_cast<double>(edge->conv->conv->weight.numel() * side * side);
      }
    }
  }
  return flops + static_cast<double>(net.classifier->weight.numel());
}

// An undefined value (NaN: e.g. the entropy of an all-zero feature map) is -inf, as AZ-NAS maps
// it; a proxy not asked is NaN.
ZooValues NanToMinusInf(ZooValues z, ZooMask proxies) {
  for (int i = 0; i < kZooProxies; ++i) {
    double& v = z.values[static_cast<std::size_t>(i)];
    if ((proxies & ZooBit(i)) == 0) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (std::isnan(v)) {
      v = kMinusInf;
    }
  }
  return z;
}

}  // namespace

void CheckZooMask(ZooMask proxies) {
  if ((proxies & ~kAllZooProxies) != 0) {
    throw ParseError(fmt::format("zoo proxy mask {:#x} has bits beyond the {} zoo proxies", proxies, kZooProxies));
  }
}

bool ZooNeedsNetwork(ZooMask proxies) { return (proxies & NetworkProxies()) != 0; }

ZooValues FastZoo(TinyNetworkImpl* net, const Cell& cell, Dataset dataset, const ZooBatches& batches,
                  std::uint64_t seed, ZooMask proxies) {
  CheckZooMask(proxies);
  return NanToMinusInf(FastZooImpl(net, cell, dataset, batches, seed, proxies), proxies);
}

ZooValues ZooOnNetwork(const ZooNetwork* net, const ZooBatches& batches, std::uint64_t seed, ZooMask proxies,
                       double params, double flops) {
  CheckZooMask(proxies);
  return NanToMinusInf(ZooOnNetworkImpl(net, batches, seed, proxies, params, flops), proxies);
}

ZooNetwork DescribedZooNetwork(DescribedNetwork net, const std::vector<int>& feature_layers) {
  std::vector<char> is_feature;
  for (int layer : feature_layers) {
    if (layer < 0) throw std::logic_error("DescribedZooNetwork: negative layer index");
    if (static_cast<std::size_t>(layer) >= is_feature.size()) is_feature.resize(static_cast<std::size_t>(layer) + 1, 0);
    is_feature[static_cast<std::size_t>(layer)] = 1;
  }
  std::vector<torch::Tensor> weights = net->ConvAndLinearWeights();
  return ZooNetwork{[net, is_feature](const torch::Tensor& x) mutable {
                      LayerForward f;
                      DescribedRunOptions options;
                      options.batch_statistics = true;
                      options.layer_output = [&](int layer, const torch::Tensor& out) {
                        const auto i = static_cast<std::size_t>(layer);
                        if (i < is_feature.size() && is_feature[i]) f.features.push_back(out);
                      };
                      f.logits = net->Run(x, options);
                      return f;
                    },
                    std::move(weights)};
}

void SetUpProxyThreads(int threads) {
  if (threads < 0) throw ParseError(fmt::format("proxy threads must be >= 0, got {}", threads));
  // Feature maps of several MB are allocated and freed for every network; above glibc's mmap
  // threshold each one would be a fresh mapping, page-faulted in (measured: a fifth of the
  // NASWOT time). Keep them in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  SetComputeThreads(threads);
}

torch::Tensor NormalizedCifar(const ImageSet& set, int count) {
  const torch::Tensor x = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()), {set.count, 3, 32, 32},
                                           torch::kUInt8)
                              .slice(0, 0, count)
                              .to(torch::kFloat)
                              .div(255.0);
  const torch::Tensor mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({0.2023f, 0.1994f, 0.2010f}).view({1, 3, 1, 1});
  return (x - mean) / std;
}

ZooBatches MakeZooBatches(const ImageSet& set, int m, int input_size) {
  if (m < 2 || 2 * m > set.count) {
    throw ParseError(fmt::format("zoo images must be in [2, {}], got {}", set.count / 2, m));
  }
  torch::Tensor z = NormalizedCifar(set, 2 * m);
  if (input_size == 16) z = torch::avg_pool2d(z, {2, 2}, {2, 2});
  const torch::Tensor labels =
      torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {set.count}, torch::kUInt8).slice(0, 0, 2 * m).to(torch::kLong);
  ZooBatches batches;
  for (int k = 0; k < 2; ++k) {
    batches.images[static_cast<std::size_t>(k)] = z.slice(0, k * m, (k + 1) * m).contiguous();
    batches.labels[static_cast<std::size_t>(k)] = labels.slice(0, k * m, (k + 1) * m).contiguous();
  }
  return batches;
}

ZooValues ReferenceZoo(const Cell& cell, Dataset dataset, const ZooBatches& batches, std::uint64_t seed,
                       ZooMask proxies) {
  CheckZooMask(proxies);
  const auto asked = [&](std::string_view name) { return ZooMaskHas(proxies, name); };
  const auto fresh = [&] { return BuildNetwork(cell, dataset, seed); };
  ZooValues z;
  if (asked("meco")) z["meco"] = ReferenceMeco(*fresh(), batches);
  if (asked("az_expressivity") || asked("az_progressivity")) ReferenceExpressivity(*fresh(), batches, z);
  if (asked("az_trainability")) z["az_trainability"] = ReferenceTrainability(*fresh(), batches, seed);
  if (asked("jacov")) z["jacov"] = ReferenceJacov(*fresh(), batches);
  if (asked("zico")) z["zico"] = ReferenceZico(*fresh(), batches);
  if (asked("grad_norm") || asked("snip")) ReferenceGradNormSnip(*fresh(), batches, z);
  if (asked("params") || asked("flops") || asked("az_complexity")) {
    TinyNetwork net = fresh();
    z["params"] = static_cast<double>(CountParameters(*net));
    z["flops"] = ReferenceFlops(*net, dataset);
    z["az_complexity"] = z["flops"];
  }
  return NanToMinusInf(z, proxies);
}

double ZooParams(const Cell& cell, Dataset dataset) {
  const TinyNetworkOptions o;
  const std::int64_t c = o.channels;
  std::int64_t params = 3 * c * 9 + 2 * c;  // stem conv + BN
  for (int stage = 0; stage < 3; ++stage) {
    const std::int64_t cs = c << stage;
    if (stage > 0) {
      const std::int64_t in = cs / 2;
      params += in * cs * 9 + 2 * cs + cs * cs * 9 + 2 * cs + in * cs;  // conv_a, conv_b (+BN), shortcut
    }
    for (int e = 0; e < kNumEdges; ++e) {
      if (cell.op(e) == Op::kConv3x3) params += o.cells_per_stage * (cs * cs * 9 + 2 * cs);
      if (cell.op(e) == Op::kConv1x1) params += o.cells_per_stage * (cs * cs + 2 * cs);
    }
  }
  const std::int64_t classes = NumClasses(dataset);
  params += 2 * 4 * c + 4 * c * classes + classes;  // head BN, classifier
  return static_cast<double>(params);
}

double ZooFlops(const Cell& cell, Dataset dataset) {
  const TinyNetworkOptions o;
  const std::int64_t c = o.channels;
  std::int64_t side = InputSize(dataset);
  std::int64_t flops = 3 * c * 9 * side * side;
  for (int stage = 0; stage < 3; ++stage) {
    const std::int64_t cs = c << stage;
    if (stage > 0) {
      side /= 2;
      const std::int64_t in = cs / 2;
      flops += (in * cs * 9 + cs * cs * 9 + in * cs) * side * side;
    }
    for (int e = 0; e < kNumEdges; ++e) {
      if (cell.op(e) == Op::kConv3x3) flops += o.cells_per_stage * cs * cs * 9 * side * side;
      if (cell.op(e) == Op::kConv1x1) flops += o.cells_per_stage * cs * cs * side * side;
    }
  }
  return static_cast<double>(flops + 4 * c * NumClasses(dataset));
}

}  // namespace proxy_internal
}  // namespace simnas
