// Fast and reference implementations of the FreeREA proxies (see proxies.h).
//
// Both start from the shared TinyNetwork builder (one builder for the proxies and the
// `local` device) and FreeREA's initialization. The fast path then runs its own forward over
// the network's parameters:
// - channels-last tensors (oneDNN convolutions run about 3x faster in that layout here);
// - the conv edges that leave the same cell node share one ReLU and run as one convolution
//   with their output channels concatenated (BatchNorm is per channel, so one call serves all);
// - nodes that can influence neither the output nor a ReLU code are not computed, and
//   identically zero tensors are tracked symbolically (a conv of zeros is zeros after
//   batch-statistics BatchNorm, and its ReLU code is all zeros);
// - NASWOT codes are bit-packed once per distinct ReLU input, with its number of readers as
//   multiplicity (conv edges reading the same node see identical ReLU inputs);
// - LogSynflow runs in double precision (as the reference: the values of the BatchNorm-free
//   network of |weights| overflow float) with autograd, on the same fused, pruned graph.
// The reference path is the direct transcription (TinyNetwork forward with a ReLU observer,
// kernel from the codes by matrix products, autograd in double) and is used by the tests to check
// the fast one.
#include "simnas/core/seed_mix.h"
#include "simnas/proxies/proxies.h"

#include <array>
#include <future>
#include <cmath>
#include <limits>
#include <mutex>

#include <fmt/format.h>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/data/cifar.h"
#include "simnas/spaces/nb201/tiny_network.h"
#include "simnas/proxies/cl_kernels.h"
#include "simnas/proxies/naswot_kernel.h"
#include "simnas/proxies/proxy_network.h"

namespace simnas {
namespace {

constexpr int kBatchImages = 64;
constexpr int kMaxBatches = 10;  // the sample holds 10 batches of 64
constexpr double kSynflowEpsilon = 1e-6;
constexpr double kBatchNormEps = 1e-5;
const auto kChannelsLast = torch::MemoryFormat::ChannelsLast;

bool IsConv(Op op) { return op == Op::kConv1x1 || op == Op::kConv3x3; }

}  // namespace

namespace proxy_internal {

// The RNG seed of one network: depends on the user seed, the init number and the cell only,
// so a cell's values do not depend on which other cells were scored before (shards, resume).
std::uint64_t NetworkSeed(std::uint64_t seed, int init, const Cell& cell) {
  std::uint64_t h = SplitMix64(seed);
  h = SplitMix64(h ^ static_cast<std::uint64_t>(init));
  h = SplitMix64(h ^ static_cast<std::uint64_t>(cell.Code()));
  return h & 0x7fffffffffffffffULL;
}

namespace {

// FreeREA's init_model: Kaiming normal (fan_out, ReLU) for conv and linear weights, linear
// bias 0, BatchNorm weight 1 and bias 0.
void FreeReaInit(torch::nn::Module& network) {
  torch::NoGradGuard no_grad;
  for (const auto& module : network.modules()) {
    if (auto* conv = module->as<torch::nn::Conv2dImpl>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* linear = module->as<torch::nn::LinearImpl>()) {
      torch::nn::init::kaiming_normal_(linear->weight, 0.0, torch::kFanOut, torch::kReLU);
      linear->bias.zero_();
    } else if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    }
  }
}

}  // namespace

TinyNetwork BuildNetwork(const Cell& cell, Dataset dataset, std::uint64_t seed) {
  TinyNetworkOptions options;
  options.num_classes = NumClasses(dataset);
  TinyNetwork network(cell, options);
  // Seeded after construction (whose default initialization draws a dataset-dependent amount
  // of random numbers for the classifier): FreeReaInit visits the classifier last, so with the
  // same seed every other weight is the same for all three datasets.
  torch::manual_seed(seed);
  FreeReaInit(*network);
  return network;
}

}  // namespace proxy_internal

namespace {
using proxy_internal::BuildNetwork;
using proxy_internal::NetworkSeed;

ParallelFor TorchParallelFor() {
  return [](std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
    at::parallel_for(0, n, 1, [&](std::int64_t begin, std::int64_t end) { body(begin, end); });
  };
}


// ---------------------------------------------------------------------------------------
// The cell plan: which nodes to compute, which conv edges to run, how many ReLUs read a node.

struct CellPlan {
  std::array<bool, kNumNodes> needed{};
  std::array<int, kNumNodes> relu_readers{};  // conv edges leaving node j (each has a ReLU)
  // Per source node, the conv edges to run, grouped by kernel size (3x3 first), in edge order.
  std::array<std::vector<std::vector<int>>, kNumNodes> groups;
};

// `with_codes`: NASWOT needs every node that a ReLU reads; LogSynflow only the nodes whose
// value reaches the cell output.
CellPlan MakePlan(const Cell& cell, bool with_codes) {
  CellPlan plan;
  plan.needed[kNumNodes - 1] = true;
  for (int i = kNumNodes - 2; i >= 0; --i) {
    bool needed = false;
    for (int e = 0; e < kNumEdges; ++e) {
      const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
      const Op op = cell.op(e);
      if (ends.from != i || op == Op::kNone) continue;
      if (with_codes && IsConv(op)) needed = true;
      if (plan.needed[static_cast<std::size_t>(ends.to)]) needed = true;
    }
    plan.needed[static_cast<std::size_t>(i)] = needed;
  }
  for (int e = 0; e < kNumEdges; ++e) {
    if (IsConv(cell.op(e))) ++plan.relu_readers[static_cast<std::size_t>(kEdgeEnds[static_cast<std::size_t>(e)].from)];
  }
  for (int j = 0; j < kNumNodes - 1; ++j) {
    for (const Op kernel : {Op::kConv3x3, Op::kConv1x1}) {
      std::vector<int> group;
      for (int e = 0; e < kNumEdges; ++e) {
        const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
        if (ends.from == j && cell.op(e) == kernel && plan.needed[static_cast<std::size_t>(ends.to)]) {
          group.push_back(e);
        }
      }
      if (!group.empty()) plan.groups[static_cast<std::size_t>(j)].push_back(std::move(group));
    }
  }
  return plan;
}

// One fused convolution: the edges' weights concatenated along the output channels.
struct ConvGroup {
  std::vector<int> edges;
  int kernel = 3;
  torch::Tensor weight;  // [edges * C, C, k, k], channels-last
  torch::Tensor gamma;   // BatchNorm weight and bias, [edges * C]
  torch::Tensor beta;
};

enum class Mode { kNaswot, kSynflow };

// The network's parameters arranged for the fast forward. kNaswot: raw float weights and
// BatchNorm parameters. kSynflow: |weights| as autograd leaves, no BatchNorm.
struct FastNetwork {
  Mode mode;
  int channels = 16;
  torch::Tensor stem;
  torch::Tensor stem_gamma, stem_beta;
  std::vector<std::array<std::vector<ConvGroup>, kNumNodes>> cells;  // [cell][source node]
  struct Reduction {
    torch::Tensor conv_a, gamma_a, beta_a, conv_b, gamma_b, beta_b, shortcut;
  };
  std::vector<Reduction> reductions;
  torch::Tensor head_gamma, head_beta;
  torch::Tensor classifier;  // kSynflow only: |W|, [classes, C]
  // kSynflow: every weight leaf (double); its gradient stays undefined if the forward never
  // uses it.
  std::vector<torch::Tensor> leaves;
};

torch::Tensor Prepare(const torch::Tensor& w, Mode mode, std::vector<torch::Tensor>* leaves) {
  if (mode == Mode::kNaswot) return w.detach().contiguous(w.dim() == 4 ? kChannelsLast : torch::MemoryFormat::Contiguous);
  torch::Tensor leaf =
      w.detach().abs().to(torch::kDouble).contiguous(w.dim() == 4 ? kChannelsLast : torch::MemoryFormat::Contiguous);
  leaf.requires_grad_(true);
  leaves->push_back(leaf);
  return leaf;
}

FastNetwork MakeFastNetwork(TinyNetworkImpl& net, const CellPlan& plan, Mode mode) {
  torch::NoGradGuard no_grad;
  FastNetwork f;
  f.mode = mode;
  f.channels = static_cast<int>(net.stem_conv->weight.size(0));
  std::vector<torch::Tensor>* leaves = &f.leaves;
  f.stem = Prepare(net.stem_conv->weight, mode, leaves);
  f.stem_gamma = net.stem_bn->weight.detach();
  f.stem_beta = net.stem_bn->bias.detach();
  for (const CellModule& cell : net.cells) {
    std::array<std::vector<ConvGroup>, kNumNodes> groups;
    for (int j = 0; j < kNumNodes; ++j) {
      for (const std::vector<int>& edges : plan.groups[static_cast<std::size_t>(j)]) {
        ConvGroup g;
        g.edges = edges;
        std::vector<torch::Tensor> w, gamma, beta;
        for (int e : edges) {
          const ReluConvBn& op = cell->edges[static_cast<std::size_t>(e)]->conv;
          w.push_back(op->conv->weight.detach());
          gamma.push_back(op->bn->weight.detach());
          beta.push_back(op->bn->bias.detach());
        }
        g.kernel = static_cast<int>(w.front().size(2));
        g.weight = Prepare(torch::cat(w, 0), mode, leaves);
        g.gamma = torch::cat(gamma, 0);
        g.beta = torch::cat(beta, 0);
        groups[static_cast<std::size_t>(j)].push_back(std::move(g));
      }
    }
    f.cells.push_back(std::move(groups));
  }
  for (const ReductionBlock& r : net.reductions) {
    FastNetwork::Reduction fr;
    fr.conv_a = Prepare(r->conv_a->conv->weight, mode, leaves);
    fr.gamma_a = r->conv_a->bn->weight.detach();
    fr.beta_a = r->conv_a->bn->bias.detach();
    fr.conv_b = Prepare(r->conv_b->conv->weight, mode, leaves);
    fr.gamma_b = r->conv_b->bn->weight.detach();
    fr.beta_b = r->conv_b->bn->bias.detach();
    fr.shortcut = Prepare(r->shortcut->weight, mode, leaves);
    f.reductions.push_back(fr);
  }
  f.head_gamma = net.head_bn->weight.detach();
  f.head_beta = net.head_bn->bias.detach();
  if (mode == Mode::kSynflow) f.classifier = Prepare(net.classifier->weight, mode, leaves);
  return f;
}


torch::Tensor Sum(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return a + b;
}

// The LogSynflow forward (autograd, double): BatchNorm bypassed, and ReLU is the identity
// because every value is >= 0 (|weights|, all-ones input). Undefined tensors are
// identically zero (the reference multiplies by 0 there; the gradients through them are 0).
class SynflowForward {
 public:
  SynflowForward(const FastNetwork& net, const Cell& cell, const CellPlan& plan)
      : net_(net), cell_(cell), plan_(plan) {}

  // The features after the last stage (before the head).
  torch::Tensor Features(const torch::Tensor& input) {
    torch::Tensor h = torch::conv2d(input, net_.stem, {}, 1, 1);
    const std::size_t per_stage = net_.cells.size() / (net_.reductions.size() + 1);
    std::size_t next_cell = 0;
    for (std::size_t r = 0; r <= net_.reductions.size(); ++r) {
      if (r > 0) h = Reduction(net_.reductions[r - 1], h);
      for (std::size_t i = 0; i < per_stage; ++i) h = CellForward(net_.cells[next_cell++], h);
    }
    return h;
  }

 private:
  static torch::Tensor Reduction(const FastNetwork::Reduction& r, const torch::Tensor& x) {
    if (!x.defined()) return {};
    const torch::Tensor b = torch::conv2d(torch::conv2d(x, r.conv_a, {}, 2, 1), r.conv_b, {}, 1, 1);
    const torch::Tensor residual = torch::conv2d(torch::avg_pool2d(x, {2, 2}, {2, 2}), r.shortcut);
    return residual + b;
  }

  torch::Tensor CellForward(const std::array<std::vector<ConvGroup>, kNumNodes>& groups, const torch::Tensor& x) {
    std::array<torch::Tensor, kNumNodes> nodes;
    std::array<torch::Tensor, kNumEdges> edge_out;
    nodes[0] = x;
    for (int j = 0; j < kNumNodes; ++j) {
      const auto sj = static_cast<std::size_t>(j);
      if (j > 0) {
        if (!plan_.needed[sj]) continue;
        torch::Tensor sum;
        for (int e = 0; e < kNumEdges; ++e) {
          const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
          if (ends.to != j) continue;
          const torch::Tensor& source = nodes[static_cast<std::size_t>(ends.from)];
          torch::Tensor term;
          switch (cell_.op(e)) {
            case Op::kNone: break;
            case Op::kSkipConnect: term = source; break;
            case Op::kAvgPool3x3:
              if (source.defined()) {
                term = torch::avg_pool2d(source, {3, 3}, {1, 1}, {1, 1}, /*ceil_mode=*/false,
                                         /*count_include_pad=*/false);
              }
              break;
            case Op::kConv1x1:
            case Op::kConv3x3: term = edge_out[static_cast<std::size_t>(e)]; break;
          }
          sum = Sum(sum, term);
        }
        nodes[sj] = sum;
      }
      if (j == kNumNodes - 1) break;
      if (!nodes[sj].defined()) continue;
      for (const ConvGroup& g : groups[sj]) {
        const torch::Tensor y = torch::conv2d(nodes[sj], g.weight, {}, 1, g.kernel / 2);
        const std::int64_t c = y.size(1) / static_cast<std::int64_t>(g.edges.size());
        for (std::size_t k = 0; k < g.edges.size(); ++k) {
          edge_out[static_cast<std::size_t>(g.edges[k])] =
              g.edges.size() == 1 ? y : y.narrow(1, static_cast<std::int64_t>(k) * c, c);
        }
      }
    }
    return nodes[kNumNodes - 1];
  }

  const FastNetwork& net_;
  const Cell& cell_;
  const CellPlan& plan_;
};

// The NASWOT forward: training-mode BatchNorm, channels-last maps, oneDNN convolutions and
// the fused element-wise kernels of cl_kernels.h. Undefined tensors are identically zero.
class NaswotForward {
 public:
  NaswotForward(const FastNetwork& net, const Cell& cell, const CellPlan& plan, NaswotCodes& codes)
      : net_(net), cell_(cell), plan_(plan), codes_(codes), parallel_(TorchParallelFor()) {}

  void Run(const torch::Tensor& images) {
    Map h = ConvBn(images, net_.stem, net_.stem_gamma, net_.stem_beta, 1, 1);
    std::size_t next_cell = 0;
    const std::size_t per_stage = net_.cells.size() / (net_.reductions.size() + 1);
    int channels = net_.channels;
    std::int64_t side = images.size(2);
    for (std::size_t r = 0; r <= net_.reductions.size(); ++r) {
      if (r > 0) {
        h = Reduction(net_.reductions[r - 1], h, channels, side);
        channels *= 2;
        side /= 2;
      }
      for (std::size_t i = 0; i < per_stage; ++i) h = CellForward(net_.cells[next_cell++], h, channels, side);
    }
    // Head: BatchNorm, then the last ReLU.
    const std::int64_t per_image = channels * side * side;
    if (!h.defined()) {
      codes_.AddZero(per_image, 1);
      return;
    }
    const Normalization bn = Statistics(h, 0, channels, net_.head_gamma, net_.head_beta);
    torch::Tensor out = Empty(h);
    ApplyScaleShift(h, 0, bn, out, /*accumulate=*/false);
    AddCodes(out, per_image, 1);
  }

 private:
  using Map = torch::Tensor;  // [N, C, H, W], dense channels-last (or undefined = zero)

  // BatchNorm with batch statistics as x * scale + shift, per channel.
  struct Normalization {
    std::vector<float> scale, shift;
  };

  static torch::Tensor Empty(const torch::Tensor& like) { return torch::empty(like.sizes(), like.options(), kChannelsLast); }
  static torch::Tensor Dense(const torch::Tensor& t) { return t.contiguous(kChannelsLast); }
  static std::int64_t Pixels(const torch::Tensor& t) { return t.size(0) * t.size(2) * t.size(3); }

  // Runs body over [0, n) split across the intra-op threads.
  void For(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) const { parallel_(n, body); }

  void AddCodes(const torch::Tensor& t, std::int64_t per_image, int multiplicity) {
    if (multiplicity == 0) return;
    if (!t.defined()) {
      codes_.AddZero(per_image, multiplicity);
      return;
    }
    codes_.Add(t.data_ptr<float>(), per_image, t.stride(0), multiplicity, parallel_);
  }

  // Statistics of channels [offset, offset + count) of y (dense channels-last, all channels).
  Normalization Statistics(const torch::Tensor& y, std::int64_t offset, std::int64_t count, const torch::Tensor& gamma,
                           const torch::Tensor& beta) const {
    const std::int64_t pixels = Pixels(y);
    const std::int64_t stride = y.size(1);
    const float* data = y.data_ptr<float>() + offset;
    std::vector<double> sum(static_cast<std::size_t>(count), 0.0), sum_sq(static_cast<std::size_t>(count), 0.0);
    std::mutex mutex;
    For(pixels, [&](std::int64_t begin, std::int64_t end) {
      std::vector<double> s(static_cast<std::size_t>(count), 0.0), q(static_cast<std::size_t>(count), 0.0);
      kernels::ChannelSums(data + begin * stride, end - begin, count, stride, s.data(), q.data());
      std::lock_guard<std::mutex> lock(mutex);
      for (std::size_t c = 0; c < s.size(); ++c) {
        sum[c] += s[c];
        sum_sq[c] += q[c];
      }
    });
    Normalization n;
    n.scale.resize(static_cast<std::size_t>(count));
    n.shift.resize(static_cast<std::size_t>(count));
    const float* g = gamma.data_ptr<float>();
    const float* b = beta.data_ptr<float>();
    for (std::size_t c = 0; c < n.scale.size(); ++c) {
      const double mean = sum[c] / static_cast<double>(pixels);
      const double variance = std::max(0.0, sum_sq[c] / static_cast<double>(pixels) - mean * mean);
      const double scale = static_cast<double>(g[c]) / std::sqrt(variance + kBatchNormEps);
      n.scale[c] = static_cast<float>(scale);
      n.shift[c] = static_cast<float>(static_cast<double>(b[c]) - mean * scale);
    }
    return n;
  }

  // dst (=, +=) channels [offset, offset + C_dst) of y, normalized.
  void ApplyScaleShift(const torch::Tensor& y, std::int64_t offset, const Normalization& n, torch::Tensor& dst,
                       bool accumulate) const {
    const std::int64_t stride = y.size(1);
    const std::int64_t channels = dst.size(1);
    const float* src = y.data_ptr<float>() + offset;
    float* out = dst.data_ptr<float>();
    For(Pixels(y), [&](std::int64_t begin, std::int64_t end) {
      kernels::ScaleShift(src + begin * stride, end - begin, channels, stride, n.scale.data(), n.shift.data(),
                          out + begin * channels, accumulate);
    });
  }

  torch::Tensor Relu(const torch::Tensor& x) const {
    torch::Tensor out = Empty(x);
    const float* src = x.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    For(x.numel(), [&](std::int64_t begin, std::int64_t end) { kernels::Relu(src + begin, end - begin, dst + begin); });
    return out;
  }

  Map ConvBn(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& gamma, const torch::Tensor& beta,
             int stride, int padding) const {
    const torch::Tensor y = Dense(torch::conv2d(x, w, {}, stride, padding));
    const Normalization n = Statistics(y, 0, y.size(1), gamma, beta);
    torch::Tensor out = Empty(y);
    ApplyScaleShift(y, 0, n, out, false);
    return out;
  }

  Map Reduction(const FastNetwork::Reduction& r, const Map& x, int channels, std::int64_t side) {
    const std::int64_t out_per_image = 2 * channels * (side / 2) * (side / 2);
    AddCodes(x, channels * side * side, 1);
    if (!x.defined()) {
      AddCodes({}, out_per_image, 1);
      return {};
    }
    const Map a = ConvBn(Relu(x), r.conv_a, r.gamma_a, r.beta_a, 2, 1);
    AddCodes(a, out_per_image, 1);
    const torch::Tensor b = Dense(torch::conv2d(Relu(a), r.conv_b, {}, 1, 1));
    const Normalization nb = Statistics(b, 0, b.size(1), r.gamma_b, r.beta_b);
    torch::Tensor out = Dense(torch::conv2d(torch::avg_pool2d(x, {2, 2}, {2, 2}), r.shortcut));
    ApplyScaleShift(b, 0, nb, out, /*accumulate=*/true);  // residual + basic block
    return out;
  }

  struct EdgeOutput {
    torch::Tensor y;  // the fused convolution's output, all its channels
    std::int64_t offset = 0;
    Normalization bn;
  };

  Map CellForward(const std::array<std::vector<ConvGroup>, kNumNodes>& groups, const Map& x, int channels,
                  std::int64_t side) {
    const std::int64_t per_image = channels * side * side;
    std::array<Map, kNumNodes> nodes;
    std::array<EdgeOutput, kNumEdges> edge_out;
    nodes[0] = x;
    for (int j = 0; j < kNumNodes; ++j) {
      const auto sj = static_cast<std::size_t>(j);
      if (j > 0) {
        if (!plan_.needed[sj]) continue;
        torch::Tensor dst;
        for (int e = 0; e < kNumEdges; ++e) {
          const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
          if (ends.to != j) continue;
          const Map& source = nodes[static_cast<std::size_t>(ends.from)];
          const Op op = cell_.op(e);
          if (op == Op::kNone || !source.defined()) continue;
          const bool accumulate = dst.defined();
          if (!accumulate) dst = Empty(source);
          float* out = dst.data_ptr<float>();
          if (op == Op::kSkipConnect) {
            const float* src = source.data_ptr<float>();
            For(source.numel(), [&](std::int64_t begin, std::int64_t end) {
              kernels::Copy(src + begin, end - begin, out + begin, accumulate);
            });
          } else if (op == Op::kAvgPool3x3) {
            const float* src = source.data_ptr<float>();
            const std::int64_t image = per_image;
            For(source.size(0), [&](std::int64_t begin, std::int64_t end) {
              kernels::AvgPool3x3(src + begin * image, end - begin, side, side, channels, out + begin * image,
                                  accumulate);
            });
          } else {
            const EdgeOutput& o = edge_out[static_cast<std::size_t>(e)];
            ApplyScaleShift(o.y, o.offset, o.bn, dst, accumulate);
          }
        }
        nodes[sj] = dst;
      }
      if (j == kNumNodes - 1) break;
      AddCodes(nodes[sj], per_image, plan_.relu_readers[sj]);
      if (!nodes[sj].defined() || groups[sj].empty()) continue;
      const torch::Tensor relu = Relu(nodes[sj]);
      for (const ConvGroup& g : groups[sj]) {
        const torch::Tensor y = Dense(torch::conv2d(relu, g.weight, {}, 1, g.kernel / 2));
        for (std::size_t k = 0; k < g.edges.size(); ++k) {
          EdgeOutput& o = edge_out[static_cast<std::size_t>(g.edges[k])];
          o.y = y;
          o.offset = static_cast<std::int64_t>(k) * channels;
          o.bn = Statistics(y, o.offset, channels, g.gamma.narrow(0, o.offset, channels),
                            g.beta.narrow(0, o.offset, channels));
        }
      }
    }
    return nodes[kNumNodes - 1];
  }

  const FastNetwork& net_;
  const Cell& cell_;
  const CellPlan& plan_;
  NaswotCodes& codes_;
  ParallelFor parallel_;
};

double FastNaswot(TinyNetworkImpl& net, const Cell& cell, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const CellPlan plan = MakePlan(cell, /*with_codes=*/true);
  const FastNetwork fast = MakeFastNetwork(net, plan, Mode::kNaswot);
  NaswotCodes codes(static_cast<int>(images.size(0)));
  NaswotForward(fast, cell, plan, codes).Run(images);
  return LogAbsDet(codes.Kernel(TorchParallelFor()), codes.images());
}

// sum |w| * |ln(g + eps)| over one weight tensor (w >= 0 here); an undefined gradient is 0.
double SynflowTerm(const torch::Tensor& w, const torch::Tensor& g) {
  if (!g.defined()) return w.detach().sum().item<double>() * std::abs(std::log(kSynflowEpsilon));
  return (w.detach() * torch::log(g.detach() + kSynflowEpsilon)).abs().sum().item<double>();
}

// LogSynflow and SynFlow (sum of w * dR/dw) from one backward.
struct SynflowPair {
  double logsynflow = 0;
  double synflow = 0;
};

SynflowPair FastLogSynflow(TinyNetworkImpl& net, const Cell& cell, int input_size) {
  const CellPlan plan = MakePlan(cell, /*with_codes=*/false);
  FastNetwork fast = MakeFastNetwork(net, plan, Mode::kSynflow);
  SynflowForward forward(fast, cell, plan);
  const torch::Tensor input = torch::ones({1, 3, input_size, input_size}, torch::kDouble).contiguous(kChannelsLast);
  const torch::Tensor h = forward.Features(input);
  // Head: BatchNorm bypassed, ReLU is the identity on these positive values, global average
  // pool, linear layer; R = sum of the logits (the bias adds a constant and has no gradient
  // with respect to the weights).
  if (h.defined()) {
    const torch::Tensor features = h.mean({2, 3});
    torch::mm(features, fast.classifier.t()).sum().backward();
  }
  double total = 0;
  double synflow = 0;
  for (const torch::Tensor& leaf : fast.leaves) {
    total += SynflowTerm(leaf, leaf.grad());
    if (leaf.grad().defined()) synflow += (leaf.detach() * leaf.grad()).sum().item<double>();
  }
  // Weights the fast forward never reads (conv edges whose output cannot reach the logits, or
  // whose input is zero) have gradient 0 in the reference: each adds |w| * |ln(1e-6)|.
  double unused = 0;
  {
    torch::NoGradGuard no_grad;
    for (const CellModule& c : net.cells) {
      for (int e = 0; e < kNumEdges; ++e) {
        const EdgeOp& op = c->edges[static_cast<std::size_t>(e)];
        if (op->conv && !plan.needed[static_cast<std::size_t>(kEdgeEnds[static_cast<std::size_t>(e)].to)]) {
          unused += op->conv->conv->weight.to(torch::kDouble).abs().sum().item<double>();
        }
      }
    }
  }
  total += unused * std::abs(std::log(kSynflowEpsilon));
  return {total, synflow};
}

// ---------------------------------------------------------------------------------------
// Reference implementations: the shared network's own forward.

double ReferenceNaswot(TinyNetworkImpl& net, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  net.train();
  std::vector<torch::Tensor> codes;
  const ReluObserver observer = [&](const torch::Tensor& x) { codes.push_back((x > 0).flatten(1)); };
  net.forward(images.contiguous(), &observer);
  const torch::Tensor c = torch::cat(codes, 1).to(torch::kDouble);
  const torch::Tensor k = (torch::mm(c, c.t()) + torch::mm(1 - c, (1 - c).t())).round().to(torch::kLong).contiguous();
  const std::vector<std::int64_t> kv(k.data_ptr<std::int64_t>(), k.data_ptr<std::int64_t>() + k.numel());
  return LogAbsDet(kv, static_cast<int>(images.size(0)));
}

SynflowPair ReferenceLogSynflow(TinyNetworkImpl& net, int input_size) {
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net.parameters()) p.abs_();
    // BatchNorm bypassed: in eval mode with mean 0, variance 1 and eps 0 it is exactly x.
    for (const auto& module : net.modules()) {
      if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
        bn->options.eps(0.0);
        bn->running_mean.zero_();
        bn->running_var.fill_(1.0);
        bn->weight.fill_(1.0);
        bn->bias.zero_();
      }
    }
  }
  net.to(torch::kDouble);
  net.eval();
  net.zero_grad();
  const torch::Tensor input = torch::ones({1, 3, input_size, input_size}, torch::kDouble);
  net.forward(input).sum().backward();
  SynflowPair total;
  for (const auto& module : net.modules()) {
    torch::Tensor w;
    if (auto* conv = module->as<torch::nn::Conv2dImpl>()) w = conv->weight;
    if (auto* linear = module->as<torch::nn::LinearImpl>()) w = linear->weight;
    if (!w.defined() || !w.grad().defined()) continue;
    total.logsynflow += (w * torch::log(w.grad() + kSynflowEpsilon)).abs().sum().item<double>();
    total.synflow += (w * w.grad()).sum().item<double>();
  }
  return total;
}

}  // namespace

// The evaluator behind ProxyEvaluator (proxies.h).
class TorchProxyEvaluator : public ProxyEvaluator::Backend {
 public:
  TorchProxyEvaluator(const std::filesystem::path& cifar_sample, const ProxyOptions& options);
  ProxyValues Evaluate(const Cell& cell) override;
  double Naswot(const Cell& cell, int init, int batch) override;
  double LogSynflow(const Cell& cell, int init) override;
  ZooValues Zoo(const Cell& cell, ZooMask proxies) override;

 private:
  struct Impl;
  ProxyOptions options_;
  std::unique_ptr<Impl> impl_;
};

struct TorchProxyEvaluator::Impl {
  torch::Tensor images;  // [batches * 64, 3, s, s], normalized, channels-last
  proxy_internal::ZooBatches zoo;  // the zoo's two mini-batches and labels

  double Naswot(TinyNetworkImpl& net, const Cell& cell, int batch, bool reference) const {
    const torch::Tensor batch_images = images.slice(0, batch * kBatchImages, (batch + 1) * kBatchImages);
    return reference ? ReferenceNaswot(net, batch_images) : FastNaswot(net, cell, batch_images);
  }
  // The reference path changes the network (absolute values, double): call it last.
  SynflowPair LogSynflow(TinyNetworkImpl& net, const Cell& cell, bool reference) const {
    const auto side = static_cast<int>(images.size(2));
    return reference ? ReferenceLogSynflow(net, side) : FastLogSynflow(net, cell, side);
  }
};

TorchProxyEvaluator::TorchProxyEvaluator(const std::filesystem::path& cifar_sample, const ProxyOptions& options)
    : options_(options), impl_(std::make_unique<Impl>()) {
  if (options.inits < 1) throw ParseError(fmt::format("proxy inits must be >= 1, got {}", options.inits));
  if (options.batches < 1 || options.batches > kMaxBatches) {
    throw ParseError(fmt::format("proxy batches must be in [1, {}], got {}", kMaxBatches, options.batches));
  }
  proxy_internal::CheckZooMask(options.zoo_proxies);
  proxy_internal::SetUpProxyThreads(options.threads);
  const ImageSet set = LoadCifarImages(cifar_sample);
  const int needed = options.batches * kBatchImages;
  if (set.count < needed) {
    throw DataError(fmt::format("{}: {} images, {} batches of {} need {}", cifar_sample.string(), set.count,
                                options.batches, kBatchImages, needed));
  }
  torch::Tensor x = proxy_internal::NormalizedCifar(set, needed);
  if (InputSize(options.dataset) == 16) x = torch::avg_pool2d(x, {2, 2}, {2, 2});
  impl_->images = x.contiguous(kChannelsLast);
  if (options.zoo) impl_->zoo = proxy_internal::MakeZooBatches(set, options.zoo_images, InputSize(options.dataset));
}

double TorchProxyEvaluator::Naswot(const Cell& cell, int init, int batch) {
  if (batch < 0 || batch >= options_.batches) {
    throw ParseError(fmt::format("batch {} out of range [0, {})", batch, options_.batches));
  }
  TinyNetwork net = BuildNetwork(cell, options_.dataset, NetworkSeed(options_.seed, init, cell));
  return impl_->Naswot(*net, cell, batch, options_.reference_implementation);
}

double TorchProxyEvaluator::LogSynflow(const Cell& cell, int init) {
  TinyNetwork net = BuildNetwork(cell, options_.dataset, NetworkSeed(options_.seed, init, cell));
  return impl_->LogSynflow(*net, cell, options_.reference_implementation).logsynflow;
}

ZooValues TorchProxyEvaluator::Zoo(const Cell& cell, ZooMask proxies) {
  if (!options_.zoo) throw ParseError("ProxyEvaluator::Zoo needs ProxyOptions::zoo");
  proxy_internal::CheckZooMask(proxies);
  const std::uint64_t seed = NetworkSeed(options_.seed, 0, cell);
  const auto side = static_cast<int>(impl_->images.size(2));
  const bool synflow = ZooMaskHas(proxies, "synflow");
  if (options_.reference_implementation) {
    ZooValues z = proxy_internal::ReferenceZoo(cell, options_.dataset, impl_->zoo, seed, proxies);
    if (synflow) {
      TinyNetwork net = BuildNetwork(cell, options_.dataset, seed);
      z["synflow"] = ReferenceLogSynflow(*net, side).synflow;
    }
    return z;
  }
  // Only params / flops / az_complexity: closed form, no network.
  if (!proxy_internal::ZooNeedsNetwork(proxies)) {
    return proxy_internal::FastZoo(nullptr, cell, options_.dataset, impl_->zoo, seed, proxies);
  }
  TinyNetwork net = BuildNetwork(cell, options_.dataset, seed);
  const double synflow_value = synflow ? FastLogSynflow(*net, cell, side).synflow : 0.0;
  ZooValues z = proxy_internal::FastZoo(net.get(), cell, options_.dataset, impl_->zoo, seed, proxies);
  if (synflow) z["synflow"] = synflow_value;
  return z;
}

ProxyValues TorchProxyEvaluator::Evaluate(const Cell& cell) {
  const int threads = options_.threads > 0 ? options_.threads : torch::get_num_threads();
  const bool concurrent = options_.split_threads && threads >= 2 && !options_.reference_implementation;
  double naswot = 0;
  double logsynflow = 0;
  ProxyValues v;
  for (int init = 0; init < options_.inits; ++init) {
    const std::uint64_t seed = NetworkSeed(options_.seed, init, cell);
    TinyNetwork net = BuildNetwork(cell, options_.dataset, seed);
    SynflowPair synflow;
    if (concurrent) {
      // LogSynflow on its own thread with one intra-op thread, NASWOT on the others. Both only
      // read the network. (OpenMP thread counts are per calling thread; the BLAS pool, used by
      // the batch-1 double convolutions only, is kept at one thread.)
      SetBlasThreads(1);
      std::future<SynflowPair> synflow_part = std::async(std::launch::async, [&] {
        torch::set_num_threads(1);
        return impl_->LogSynflow(*net, cell, false);
      });
      torch::set_num_threads(threads - 1);
      try {
        for (int batch = 0; batch < options_.batches; ++batch) naswot += impl_->Naswot(*net, cell, batch, false);
      } catch (...) {
        synflow_part.wait();
        torch::set_num_threads(threads);
        throw;
      }
      synflow = synflow_part.get();
      torch::set_num_threads(threads);
    } else {
      for (int batch = 0; batch < options_.batches; ++batch) {
        naswot += impl_->Naswot(*net, cell, batch, options_.reference_implementation);
      }
      synflow = impl_->LogSynflow(*net, cell, options_.reference_implementation);
    }
    logsynflow += synflow.logsynflow;
    // The zoo on the first initialization, sharing LogSynflow's backward for SynFlow and (fast
    // path) the network, whose weights it may turn channels-last.
    if (options_.zoo && init == 0) {
      const ZooMask proxies = options_.zoo_proxies;
      v.zoo = options_.reference_implementation
                  ? proxy_internal::ReferenceZoo(cell, options_.dataset, impl_->zoo, seed, proxies)
                  : proxy_internal::FastZoo(net.get(), cell, options_.dataset, impl_->zoo, seed, proxies);
      if (ZooMaskHas(proxies, "synflow")) (*v.zoo)["synflow"] = synflow.synflow;
    }
  }
  v.naswot = naswot / (options_.inits * options_.batches);
  v.logsynflow = logsynflow / options_.inits;
  v.skip = SkipScore(cell);
  return v;
}

}  // namespace simnas

simnas::ProxyEvaluator::Backend* simnas_torch_new_proxy_evaluator(const std::filesystem::path& cifar_sample,
                                                                 const simnas::ProxyOptions& options) {
  return new simnas::TorchProxyEvaluator(cifar_sample, options);
}
