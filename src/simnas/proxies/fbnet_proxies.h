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
// SkipScore has no FBNet counterpart here (see the doc); the FBNet aggregate is the recipe
// "fbnet-freerea" of configs/aggregates.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "simnas/network/network_description.h"
#include "simnas/search_space/fbnet/fbnet_arch.h"

namespace simnas {

// Bumped whenever a change alters the values (it keys the cache and is written in tables).
inline constexpr int kFbnetProxyMethodVersion = 1;
inline constexpr int kFbnetProxyClasses = 100;  // CIFAR-100
inline constexpr int kFbnetProxyInputSize = 32;

struct FbnetProxyOptions {
  std::uint64_t seed = 0;  // same seed, same values
  int threads = 0;         // intra-op threads; 0 = leave the process setting
  // The straightforward implementation (DescribedNetwork's own forward with a ReLU observer,
  // the kernel by matrix products, LogSynflow through every layer by autograd): slow, used to
  // check the fast path.
  bool reference_implementation = false;
};

struct FbnetProxyValues {
  double naswot = 0;      // log|det K|; -inf when K is singular
  double logsynflow = 0;  // > 0
  std::int64_t params = 0;
  std::int64_t flops = 0;  // multiply-adds of one 32x32 image
};

// The RNG seed of one network: a hash of the user seed and the 22 blocks.
std::uint64_t FbnetProxySeed(std::uint64_t seed, const FbnetArch& arch);

// The network the proxies score: DescribeFbnet (CIFAR-100, 32x32) with FreeREA's initialization
// drawn from FbnetProxySeed(seed, arch).
NetworkDescription DescribeFbnetForProxies(const FbnetArch& arch, std::uint64_t seed);

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

  FbnetProxyValues Evaluate(const FbnetArch& arch);
  // The parts, for benchmarks and tests.
  double Naswot(const FbnetArch& arch);
  double LogSynflow(const FbnetArch& arch);

 private:
  struct Impl;
  FbnetProxyOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Computed values kept on disk, one small file per architecture under
//   <cache_dir>/proxies/fbnet/cifar100-seed<seed>-v<kFbnetProxyMethodVersion>/<arch>.txt
// (key: space, dataset, seed, method version, architecture string). Files are written
// atomically; a malformed one is treated as missing (and overwritten by the next Put).
class FbnetProxyCache {
 public:
  FbnetProxyCache(std::filesystem::path cache_dir, std::uint64_t seed);
  std::optional<FbnetProxyValues> Get(const FbnetArch& arch) const;
  void Put(const FbnetArch& arch, const FbnetProxyValues& values) const;
  std::filesystem::path FileOf(const FbnetArch& arch) const;

 private:
  std::filesystem::path dir_;
};

// Text form of the values ("naswot <x>\nlogsynflow <x>\nparams <n>\nflops <n>\n"; -inf allowed
// for naswot) and back; ParseFbnetProxyValues returns nullopt for anything else.
std::string FormatFbnetProxyValues(const FbnetProxyValues& values);
std::optional<FbnetProxyValues> ParseFbnetProxyValues(const std::string& text);

}  // namespace simnas
