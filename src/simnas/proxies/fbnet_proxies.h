// FreeREA's training-free proxies on FBNet networks (HW-NAS-Bench's CIFAR FBNet, HELP's
// space; network/fbnet_network.h), for CIFAR-100 (100 classes, 32x32 input). Torch-free
// interface; LibTorch stays in the .cpp. docs/proxies-fbnet.md has the formulas and choices.
//
// The conventions are those of the NAS-Bench-201 proxies (proxies.h), applied to the FBNet
// network's description:
// - Initialization (FreeREA's init_model): Kaiming normal (fan_out, ReLU gain) for every conv
//   and the classifier, classifier bias 0, BatchNorm scale 1 and shift 0; drawn from
//   FbnetProxySeed(seed, arch), so an architecture's values depend on (seed, architecture)
//   only, never on which others were scored before.
// - NASWOT: training-mode BatchNorm (batch statistics) on the first 64 normalized images of
//   the 640-image CIFAR-10 sample; the code of every ReLU layer of the description is
//   (input > 0) per image; K[i][j] = positions where images i and j agree; log|det K|
//   (-inf when K is singular).
// - LogSynflow: BatchNorm bypassed, |weights|, one all-ones 32x32 input, R = sum of the
//   logits, in double; sum over every conv and linear weight w of |w * ln(dR/dw + 1e-6)|.
// - params, flops: closed form from the description (NetworkDescription::ParameterCount,
//   MultiplyAdds: multiply-adds of one image, as the zoo's "flops").
// - The zoo (zoo.h, issue 11's proxies) with its formulas, images (two mini-batches of
//   kFbnetZooImages CIFAR-10 images, their labels 0-9 as targets of the 100-way classifier) and
//   subset contract, on the same network in training mode. FBNet's "layer features" are the
//   stem's output and the output of each of the 22 layers, except a `skip` that is the identity
//   (same shape, stride 1): its output is its input, which would count that map twice in
//   expressivity, add a zero step to progressivity and make trainability -inf (an identity
//   layer) for most networks; such a layer has no feature of its own (FbnetZooFeatureLayers).
//   The header (1x1 conv to 1504) is not a layer feature, as NAS-Bench-201's last BN-ReLU is not.
//   synflow comes from LogSynflow's backward (sum of w * dR/dw); params, flops and az_complexity
//   are the closed-form values above. The zoo has one implementation here (the NAS-Bench-201
//   zoo's fast path over DescribedNetwork); `reference_implementation` changes NASWOT and
//   LogSynflow / synflow only.
// SkipScore has no FBNet counterpart here (see the doc); the FBNet aggregate is the recipe
// "fbnet-freerea" of configs/aggregates.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/network/network_description.h"
#include "simnas/proxies/zoo.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"
#include "simnas/spaces/fbnet/fbnet_proxy_network.h"

namespace simnas {

// Bumped whenever a change alters the values (it keys the cache and is written in tables).
inline constexpr int kFbnetProxyMethodVersion = 1;
inline constexpr int kFbnetZooImages = 16;  // per mini-batch, as the NAS-Bench-201 tables' zoo

struct FbnetProxyOptions {
  std::uint64_t seed = 0;  // same seed, same values
  int threads = 0;         // intra-op threads; 0 = leave the process setting
  // The straightforward implementation (DescribedNetwork's own forward with a ReLU observer,
  // the kernel by matrix products, LogSynflow through every layer by autograd): slow, used to
  // check the fast path.
  bool reference_implementation = false;
  // The zoo proxies Evaluate computes besides FreeREA's (none by default).
  ZooMask zoo = kNoZooProxies;
};

struct FbnetProxyValues {
  double naswot = 0;      // log|det K|; -inf when K is singular
  double logsynflow = 0;  // > 0
  std::int64_t params = 0;
  std::int64_t flops = 0;  // multiply-adds of one 32x32 image
  // The zoo when computed: NaN for a proxy not computed (a computed value is never NaN).
  std::optional<ZooValues> zoo;
};

// Scores FBNet architectures. Holds the 64 normalized images; not thread-safe (one per thread).
class FbnetProxyEvaluator {
 public:
  // `cifar_sample`: the 640-image CIFAR-10 sample (data/cifar10-sample/cifar10_sample_640.bin),
  // or any file of at least 64 CIFAR binary records. Throws DataError when it is missing or
  // malformed, ParseError for bad options.
  FbnetProxyEvaluator(const std::filesystem::path& cifar_sample, const FbnetProxyOptions& options);
  ~FbnetProxyEvaluator();
  FbnetProxyEvaluator(const FbnetProxyEvaluator&) = delete;
  FbnetProxyEvaluator& operator=(const FbnetProxyEvaluator&) = delete;

  const FbnetProxyOptions& options() const { return options_; }

  // FreeREA's proxies, and the zoo proxies of options().zoo (`zoo` empty when none).
  FbnetProxyValues Evaluate(const FbnetArch& arch);
  // The parts, for benchmarks and tests.
  double Naswot(const FbnetArch& arch);
  double LogSynflow(const FbnetArch& arch);
  // The asked zoo proxies (zoo.h: values of the others NaN, undefined ones -inf); each value is
  // bit-identical to Evaluate's with the same options and thread count. Throws ParseError on
  // bits beyond kAllZooProxies.
  ZooValues Zoo(const FbnetArch& arch, ZooMask proxies = kAllZooProxies);

  // What computes the values: LibTorch, in the torch plugin (fbnet_proxies_torch.cpp), opened
  // by the first evaluator. Same contracts as the methods above.
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual FbnetProxyValues Evaluate(const FbnetArch& arch) = 0;
    virtual double Naswot(const FbnetArch& arch) = 0;
    virtual double LogSynflow(const FbnetArch& arch) = 0;
    virtual ZooValues Zoo(const FbnetArch& arch, ZooMask proxies) = 0;
  };

 private:
  FbnetProxyOptions options_;
  std::unique_ptr<Backend> backend_;
};

// Computed values kept on disk, one small file per architecture under
//   <cache_dir>/proxies/fbnet/cifar100-seed<seed>-v<kFbnetProxyMethodVersion>/<arch>.txt
// (key: space, dataset, seed, method version, architecture string). Each file is checked before
// it is reused (core/verified_cache.h: its SHA-256 and key, kept beside it): a malformed, edited
// or swapped file is treated as missing (and overwritten by the next Put).
class FbnetProxyCache {
 public:
  FbnetProxyCache(std::filesystem::path cache_dir, std::uint64_t seed);
  std::optional<FbnetProxyValues> Get(const FbnetArch& arch) const;
  void Put(const FbnetArch& arch, const FbnetProxyValues& values) const;
  std::filesystem::path FileOf(const FbnetArch& arch) const;
  // What the check of FileOf(arch) names: the seed's folder and the architecture.
  std::string KeyOf(const FbnetArch& arch) const;

 private:
  std::filesystem::path dir_;
};

// Text form of the values ("naswot <x>\nlogsynflow <x>\nparams <n>\nflops <n>\n", then one
// "<zoo name> <x>" line per computed zoo value; -inf allowed for naswot and the zoo) and back;
// ParseFbnetProxyValues returns nullopt for anything else (a cache file written before the zoo
// existed parses, without zoo values).
std::string FormatFbnetProxyValues(const FbnetProxyValues& values);
std::optional<FbnetProxyValues> ParseFbnetProxyValues(const std::string& text);

}  // namespace simnas

// The torch plugin's evaluator (owned by the caller); throws as FbnetProxyEvaluator's constructor.
extern "C" simnas::FbnetProxyEvaluator::Backend* simnas_torch_new_fbnet_proxy_evaluator(
    const std::filesystem::path& cifar_sample, const simnas::FbnetProxyOptions& options);
