// The proxy zoo (issue 11): later training-free proxies beside FreeREA's, on the same exact
// NAS-Bench-201 TinyNetwork, initialization (FreeREA's) and images. Torch-free interface; the
// values are computed by ProxyEvaluator (proxies.h) with ProxyOptions::zoo set.
//
// Images: two mini-batches of `zoo_images` images each (default 16) of the shipped CIFAR-10
// sample, images [0, m) and [m, 2m), with their labels; the network in training mode
// (BatchNorm on each mini-batch's statistics, as for NASWOT). ImageNet16-120 networks read the
// same images downsampled 2x2, and the CIFAR-10 labels (0-9) as targets of a 120-way classifier.
// "Layer features" are the stem's output and the output of each of the 17 following layers (15
// cells, 2 reduction blocks): 18 maps.
//
// - meco (Jiang et al., NeurIPS 2023, MeCo): sum over the layer features of the smallest
//   eigenvalue of the Pearson correlation matrix of the channels of the first image of the
//   mini-batch (C x C, each channel over its H*W positions); NaN entries of the matrix (constant
//   channels) are 0, as in the authors' code. Departure: the paper's code hooks every module;
//   we take the 18 layer features.
// - zico (Li et al., ICLR 2023, ZiCo): for every conv and linear weight tensor, the gradients of
//   the cross-entropy loss on the two mini-batches; per element mean |g| and standard deviation
//   (population, over the 2 samples); per tensor S = sum of mean|g| / std over elements with
//   std != 0; score = sum over tensors with S > 0 of ln S. (ZiCo used two batches of 64.)
// - grad_norm, snip (Abdelfattah et al., ICLR 2021, "Zero-cost proxies"): with g the gradient of
//   the mean of the two mini-batch losses, grad_norm = sum over conv and linear weights of ||g||_2,
//   snip = sum |w * g|. Departure: the paper takes one batch; we reuse ZiCo's two mini-batches,
//   so BatchNorm statistics are per mini-batch.
// - synflow (Tanaka et al., NeurIPS 2020; as in Abdelfattah et al.): BatchNorm bypassed, |weights|,
//   double precision, one all-ones image, R = sum of the logits; score = sum over conv and linear
//   weights of w * dR/dw. Computed from the same backward as LogSynflow.
// - jacov (Mellor et al. 2020, arXiv v1, Jacobian covariance): J = d(sum of logits)/d(input) per
//   image of the first mini-batch (m rows of 3*H*W); C = correlation matrix of the rows, with
//   eigenvalues v; score = -sum(ln(v + k) + 1/(v + k)), k = 1e-5. -inf when a row is constant
//   (the output does not depend on the input: C undefined).
// - az_expressivity, az_progressivity, az_trainability, az_complexity (Lee & Ham, CVPR 2024,
//   AZ-NAS), on the first mini-batch's layer features F_0..F_17:
//   expressivity: per feature, the covariance (1/N) of its channels over all N = m*H*W positions,
//   eigenvalues s clamped at 0 (departure: the authors' code does not clamp; rounding can make
//   them slightly negative), p = s / sum s, entropy -sum p ln(p + 1e-8); expressivity = sum of
//   the entropies, progressivity = the smallest increase F_{l-1} -> F_l;
//   trainability: for l = 17..1, a Rademacher (+-1) tensor g shaped like F_l (drawn from a
//   std::mt19937_64 seeded by the network seed, in that order, one bit of a draw per element), g' = (dF_l/dF_{l-1})^T g (pixel-
//   unshuffled 2x2 after a reduction), A = g'^T g / N (channels x channels), s = largest singular
//   value, t_l = -s - 1/(s + 1e-6) + 2; -inf when g' equals g (an identity layer); trainability =
//   mean of the t_l. complexity = FLOPs (below), as AZ-NAS.
//   Departure: AZ-NAS initializes Kaiming fan_in; we keep FreeREA's initialization for all proxies.
// A value that comes out undefined (NaN, e.g. the entropy of an all-zero feature map) is -inf,
// as AZ-NAS maps it.
// - params: trainable parameters (conv, BatchNorm affine, classifier).
// - flops: multiply-accumulates of one image through every convolution and the classifier
//   (every conv edge counted, reachable or not; BatchNorm, pooling and sums not counted).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace simnas {

inline constexpr std::array<std::string_view, 12> kZooProxyNames = {
    "meco",           "zico",          "synflow",          "grad_norm",       "snip",   "jacov",
    "az_expressivity", "az_progressivity", "az_trainability", "az_complexity", "params", "flops"};
inline constexpr int kZooProxies = static_cast<int>(kZooProxyNames.size());

// Index of a zoo proxy name in kZooProxyNames, or nullopt.
std::optional<int> ZooProxyIndex(std::string_view name);

// A subset of the zoo: bit i stands for kZooProxyNames[i] (ProxyOptions::zoo_proxies,
// ProxyEvaluator::Zoo's argument).
//
// Contract of a subset: only the asked proxies are computed; every other value is NaN (a computed
// value is never NaN: an undefined one is -inf, above). Each computed value is bit-identical to
// the full zoo's (kAllZooProxies) on the same cell, options and thread count: the fast path runs
// the passes the asked proxies read, in the full run's order, on the same network, images and
// Rademacher draws, and skips the others:
// - params, flops, az_complexity: closed form, no network built;
// - synflow: the SynFlow backward (shared with LogSynflow in ProxyEvaluator::Evaluate);
// - meco, az_expressivity, az_progressivity, jacov, az_trainability, zico, grad_norm, snip: the
//   forward of mini-batch 1; then meco the per-layer correlation spectra; az_expressivity and
//   az_progressivity the per-layer covariance spectra (both of them); jacov the input-gradient
//   backward; az_trainability the Rademacher draws and the 17 per-layer VJPs; zico, grad_norm
//   and snip (all three) the loss-gradient backward of mini-batch 1 and the forward and backward
//   of mini-batch 2.
// So asking meco alone costs a network build and one forward, and so on. The reference path
// (ProxyOptions::reference_implementation) computes each asked proxy on its own, as always.
using ZooMask = std::uint16_t;
inline constexpr ZooMask kAllZooProxies = static_cast<ZooMask>((1u << kZooProxies) - 1);
inline constexpr ZooMask kNoZooProxies = 0;
// The bit of kZooProxyNames[index].
constexpr ZooMask ZooBit(int index) { return static_cast<ZooMask>(1u << index); }
// The set of the named proxies; throws ParseError on a name not in kZooProxyNames.
ZooMask ZooMaskOf(std::initializer_list<std::string_view> names);
ZooMask ZooMaskOf(std::string_view name);
// Whether `mask` holds the named proxy (throws ParseError on an unknown name).
bool ZooMaskHas(ZooMask mask, std::string_view name);
// The zoo proxies that read no classifier: MeCo and AZ-NAS's expressivity, progressivity and
// trainability read the layer features only (stem, cells, reductions). The classifier's weights are
// drawn last, so two datasets with the same input size, seed and options give them bit-identical
// values (what `simnas proxies --all --reuse-features` relies on).
ZooMask ClassifierFreeZooProxies();

struct ZooValues {
  std::array<double, kZooProxyNames.size()> values{};  // in kZooProxyNames order
  double& operator[](std::string_view name);
  double operator[](std::string_view name) const;
};

}  // namespace simnas
