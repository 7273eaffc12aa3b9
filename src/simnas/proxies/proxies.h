// Training-free accuracy proxies of FreeREA (Cavagnero et al. 2022/2023) for NAS-Bench-201
// cells: NASWOT, LogSynflow and SkipScore. Torch-free interface; the LibTorch side is in the torch plugin (proxies_torch.cpp).
//
// Faithful to the public FreeREA reference (networks built by xautodl's TinyNetwork):
// - Initialization: Kaiming normal (fan_out, ReLU gain) for every conv and linear weight,
//   linear bias 0, BatchNorm weight 1 and bias 0 (FreeREA's init_model).
// - NASWOT (Mellor et al. 2021): the network in training mode (BatchNorm uses the batch's
//   statistics) on a batch of 64 normalized real images; the code of every ReLU module is
//   (input > 0) per image; K[i][j] = number of positions where images i and j agree (counted
//   on bit-packed codes with popcount); score = log|det K|, -inf when K is singular.
// - LogSynflow: BatchNorm bypassed (identity), every parameter replaced by its absolute
//   value, one all-ones input image, R = sum of the logits; score = sum over every conv and
//   linear weight w of |w * ln(dR/dw + 1e-6)| (biases excluded), in double precision.
// - SkipScore: for every skip_connect edge i <- j, (i - 1) - j layers are skipped; the score
//   is the mean over skip edges, 0 when there is none.
// With several initializations and batches, NASWOT is the mean over inits x batches and
// LogSynflow the mean over inits (it does not depend on the images).
//
// ImageNet16-120: the network takes 16x16 inputs; we use the same CIFAR-10 sample images,
// downsampled 2x2 by averaging (FreeREA used ImageNet16 images there).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "simnas/data/dataset.h"
#include "simnas/proxies/zoo.h"
#include "simnas/space/arch.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

struct ProxyOptions {
  Dataset dataset = Dataset::kCifar10;  // classifier width and input size
  std::uint64_t seed = 0;               // same seed, same values
  int inits = 1;                        // network initializations averaged
  int batches = 1;                      // batches of 64 images averaged (NASWOT), at most 10
  int threads = 0;                      // intra-op threads; 0 = leave the process setting
  // With 2 or more threads, Evaluate runs LogSynflow on a thread of its own (one intra-op
  // thread) while NASWOT uses the others, instead of running both on all threads in turn:
  // fewer parallel regions, so no waiting on descheduled threads on a shared machine.
  bool split_threads = true;
  // The straightforward implementation (the shared TinyNetwork's own forward with a ReLU
  // observer, LogSynflow by autograd in double): slow, used to check the fast path.
  bool reference_implementation = false;
  // Also compute the proxy zoo (zoo.h) on the first initialization, on two mini-batches of
  // `zoo_images` images each.
  bool zoo = false;
  int zoo_images = 16;
  // Which zoo proxies Evaluate and Zoo(cell) compute (zoo.h: "Contract of a subset"): the others
  // are NaN, the asked ones bit-identical to the full zoo's. Default: all.
  ZooMask zoo_proxies = kAllZooProxies;
};

struct ProxyValues {
  double naswot = 0;      // log|det K|; -inf when K is singular
  double logsynflow = 0;  // > 0
  double skip = 0;        // >= 0
  std::optional<ZooValues> zoo;  // with ProxyOptions::zoo
};

// FreeREA's portion of skipped layers. Pure function of the cell.
double SkipScore(const Cell& cell);

// Scores cells. Holds the normalized images; not thread-safe (one per thread).
class ProxyEvaluator {
 public:
  // `cifar_sample`: the 640-image CIFAR-10 sample (data/cifar10-sample/cifar10_sample_640.bin).
  // Throws DataError if it is missing or malformed, ParseError for bad options.
  ProxyEvaluator(const std::filesystem::path& cifar_sample, const ProxyOptions& options);
  ~ProxyEvaluator();
  ProxyEvaluator(const ProxyEvaluator&) = delete;
  ProxyEvaluator& operator=(const ProxyEvaluator&) = delete;

  const ProxyOptions& options() const { return options_; }

  ProxyValues Evaluate(const Cell& cell);
  // The parts, for benchmarks and tests: one initialization `init` (0-based), one batch.
  double Naswot(const Cell& cell, int init, int batch);
  double LogSynflow(const Cell& cell, int init);
  // The zoo alone (needs ProxyOptions::zoo): what Evaluate adds, without NASWOT and LogSynflow's
  // value; ProxyOptions::zoo_proxies of it, or `proxies` (zoo.h: "Contract of a subset": not
  // asked is NaN; no network is built when only params / flops / az_complexity are asked, no
  // SynFlow backward unless synflow is). Throws ParseError on bits beyond kAllZooProxies.
  ZooValues Zoo(const Cell& cell);
  ZooValues Zoo(const Cell& cell, ZooMask proxies);

 
  // What computes the scores: LibTorch, in the torch plugin (proxies_torch.cpp), opened by the
  // first evaluator. Same contracts as the methods above.
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual ProxyValues Evaluate(const Cell& cell) = 0;
    virtual double Naswot(const Cell& cell, int init, int batch) = 0;
    virtual double LogSynflow(const Cell& cell, int init) = 0;
    virtual ZooValues Zoo(const Cell& cell, ZooMask proxies) = 0;
  };

 private:
  ProxyOptions options_;
  std::unique_ptr<Backend> backend_;
};

// One-off convenience: loads the images, scores `arch`, an architecture of the space whose fast
// proxy path this evaluator is (Space::FastProxyEntry() == kFastProxyEntry). Throws Error for an
// architecture of another space.
ProxyValues ComputeProxies(const Arch& arch, const std::filesystem::path& cifar_sample, const ProxyOptions& options);

// The torch plugin's entry point of this evaluator, as Space::FastProxyEntry names it.
inline constexpr std::string_view kFastProxyEntry = "simnas_torch_new_proxy_evaluator";

}  // namespace simnas

// The torch plugin's evaluator (owned by the caller); throws as ProxyEvaluator's constructor.
extern "C" simnas::ProxyEvaluator::Backend* simnas_torch_new_proxy_evaluator(
    const std::filesystem::path& cifar_sample, const simnas::ProxyOptions& options);
