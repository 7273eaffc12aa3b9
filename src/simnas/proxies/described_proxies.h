// FreeREA's training-free proxies and the zoo (zoo.h) on the network any search space describes
// for them (Space::DescribeForProxies): one evaluator for every space without a faster path of
// its own (Space::FastProxyEntry). Torch-free interface; LibTorch stays in the torch plugin
// (described_proxies_torch.cpp). docs/proxies.md has the formulas and choices.
//
// The conventions are those of the NAS-Bench-201 proxies (proxies.h), applied to the network's
// description:
// - Initialization: the space's (FreeREA's init_model: Kaiming normal fan_out for every conv and
//   the classifier, classifier bias 0, BatchNorm scale 1 and shift 0), drawn from a seed that
//   depends on (seed, architecture) only, never on which others were scored before.
// - Images: the 640-image CIFAR-10 sample, normalized with CIFAR-10's mean and deviation, at the
//   network's input size: as stored at 32x32, otherwise resized bilinearly (half-pixel centres,
//   no antialiasing) to the input size.
// - NASWOT: training-mode BatchNorm (batch statistics) on the first 64 images; the code of every
//   ReLU and h-swish layer whose output is a feature map (more than one position per channel:
//   the squeeze-and-excitation branch's and the head's vectors are not coded) is (input > 0) per
//   image (both activations are positive exactly where their input is); K[i][j] = positions
//   where images i and j agree; log|det K| (-inf when K is singular).
// - LogSynflow: BatchNorm bypassed, |weights| and |biases|, one all-ones input, R = sum of the
//   logits, in double; sum over every conv and linear weight w of |w * ln(dR/dw + 1e-6)|.
// - params, flops: closed form from the description (NetworkDescription::ParameterCount,
//   MultiplyAdds: multiply-adds of one image, the zoo's "flops").
// - The zoo with its formulas, images (two mini-batches of kDescribedZooImages images, their
//   CIFAR-10 labels as targets of the classifier) and subset contract, on the same network in
//   training mode; its layer features are the space's (ProxyNetwork::feature_layers). synflow
//   comes from LogSynflow's backward (sum of w * dR/dw); params, flops and az_complexity are the
//   closed-form values above. `reference_implementation` changes NASWOT and LogSynflow / synflow
//   only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "simnas/data/dataset.h"
#include "simnas/proxies/zoo.h"
#include "simnas/space/arch.h"
#include "simnas/space/space.h"

namespace simnas {

// Bumped whenever a change alters the values (it keys the cache and is written in tables).
inline constexpr int kDescribedProxyMethodVersion = 1;
inline constexpr int kDescribedZooImages = 16;  // per mini-batch, as the NAS-Bench-201 tables' zoo

struct DescribedProxyOptions {
  // What the network is built for: one of the space's Datasets(); nullopt: its first.
  std::optional<Dataset> dataset;
  std::uint64_t seed = 0;               // same seed, same values
  int threads = 0;                      // intra-op threads; 0 = leave the process setting
  // The straightforward implementation (DescribedNetwork's own forward with an activation
  // observer, the kernel by matrix products, LogSynflow through every layer by autograd): slow,
  // used to check the fast path.
  bool reference_implementation = false;
  // The zoo proxies Evaluate computes besides FreeREA's (none by default).
  ZooMask zoo = kNoZooProxies;
};

struct DescribedProxyValues {
  double naswot = 0;      // log|det K|; -inf when K is singular
  double logsynflow = 0;  // > 0
  std::int64_t params = 0;
  std::int64_t flops = 0;  // multiply-adds of one image
  // The zoo when computed: NaN for a proxy not computed (a computed value is never NaN).
  std::optional<ZooValues> zoo;
};

// Scores the architectures of one space. Holds the images; not thread-safe (one per thread).
class DescribedProxyEvaluator {
 public:
  // `cifar_sample`: the 640-image CIFAR-10 sample (data/cifar10-sample/cifar10_sample_640.bin),
  // or any file of at least 64 CIFAR binary records. Throws DataError when it is missing or
  // malformed, ParseError for bad options or a dataset the space does not build for.
  DescribedProxyEvaluator(const Space& space, const std::filesystem::path& cifar_sample,
                          const DescribedProxyOptions& options);
  ~DescribedProxyEvaluator();
  DescribedProxyEvaluator(const DescribedProxyEvaluator&) = delete;
  DescribedProxyEvaluator& operator=(const DescribedProxyEvaluator&) = delete;

  const Space& space() const { return space_; }
  // The options, the dataset resolved.
  const DescribedProxyOptions& options() const { return options_; }

  // FreeREA's proxies, and the zoo proxies of options().zoo (`zoo` empty when none). `arch` must
  // be of space() (Error otherwise).
  DescribedProxyValues Evaluate(const Arch& arch);
  // The parts, for benchmarks and tests.
  double Naswot(const Arch& arch);
  double LogSynflow(const Arch& arch);
  // The asked zoo proxies (zoo.h: values of the others NaN, undefined ones -inf); each value is
  // bit-identical to Evaluate's with the same options and thread count. Throws ParseError on
  // bits beyond kAllZooProxies.
  ZooValues Zoo(const Arch& arch, ZooMask proxies = kAllZooProxies);

  // What computes the values from the space's proxy network: LibTorch, in the torch plugin
  // (described_proxies_torch.cpp), opened by the first evaluator. Same contracts as above.
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual DescribedProxyValues Evaluate(const ProxyNetwork& network) = 0;
    virtual double Naswot(const ProxyNetwork& network) = 0;
    virtual double LogSynflow(const ProxyNetwork& network) = 0;
    virtual ZooValues Zoo(const ProxyNetwork& network, ZooMask proxies) = 0;
  };

 private:
  ProxyNetwork NetworkOf(const Arch& arch) const;

  const Space& space_;
  DescribedProxyOptions options_;
  std::unique_ptr<Backend> backend_;
};

// Computed values kept on disk, one small file per architecture under
//   <cache_dir>/proxies/<space>/<dataset>-seed<seed>-v<kDescribedProxyMethodVersion>/<arch>.txt
// (key: space, dataset, seed, method version, the architecture's text form). Each file is checked
// before it is reused (core/verified_cache.h: its SHA-256 and key, kept beside it): a malformed,
// edited or swapped file is treated as missing (and overwritten by the next Put).
class DescribedProxyCache {
 public:
  DescribedProxyCache(std::filesystem::path cache_dir, const Space& space, Dataset dataset, std::uint64_t seed);
  std::optional<DescribedProxyValues> Get(const Arch& arch) const;
  void Put(const Arch& arch, const DescribedProxyValues& values) const;
  std::filesystem::path FileOf(const Arch& arch) const;
  // What the check of FileOf(arch) names: the seed's folder and the architecture.
  std::string KeyOf(const Arch& arch) const;

 private:
  const Space& space_;
  std::filesystem::path dir_;
};

// Text form of the values ("naswot <x>\nlogsynflow <x>\nparams <n>\nflops <n>\n", then one
// "<zoo name> <x>" line per computed zoo value; -inf allowed for naswot and the zoo) and back;
// ParseDescribedProxyValues returns nullopt for anything else (a file without zoo lines parses,
// without zoo values).
std::string FormatDescribedProxyValues(const DescribedProxyValues& values);
std::optional<DescribedProxyValues> ParseDescribedProxyValues(const std::string& text);

}  // namespace simnas

// The torch plugin's evaluator (owned by the caller); throws as DescribedProxyEvaluator's constructor.
extern "C" simnas::DescribedProxyEvaluator::Backend* simnas_torch_new_described_proxy_evaluator(
    const std::filesystem::path& cifar_sample, const simnas::DescribedProxyOptions& options);
