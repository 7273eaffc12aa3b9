// The torch-free side of fbnet_proxies.h: seeds, the proxies' network description, the zoo's
// feature layers, the cache, and FbnetProxyEvaluator handing its work to the torch plugin's
// evaluator (fbnet_proxies_torch.cpp).
#include "simnas/proxies/fbnet_proxies.h"

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/plugin.h"
#include "simnas/core/verified_cache.h"
#include "simnas/spaces/fbnet/fbnet_network.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string FormatDouble(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{:.17g}", x);
}

}  // namespace

std::uint64_t FbnetProxySeed(std::uint64_t seed, const FbnetArch& arch) {
  std::uint64_t h = SplitMix64(seed ^ 0x66626e6574ULL);  // "fbnet": not the NB201 seeds
  for (int block : arch.Indices()) h = SplitMix64(h ^ static_cast<std::uint64_t>(block));
  return h & 0x7fffffffffffffffULL;
}

NetworkDescription DescribeFbnetForProxies(const FbnetArch& arch, std::uint64_t seed) {
  FbnetNetworkOptions options;
  options.num_classes = kFbnetProxyClasses;
  options.input_size = kFbnetProxyInputSize;
  const std::uint64_t network_seed = FbnetProxySeed(seed, arch);
  options.seed = network_seed;
  // DescribeFbnet already initializes as FreeREA does everywhere but the classifier
  // (HW-NAS-Bench's N(0, 0.001)): redraw it as Kaiming normal fan_out (std sqrt(2 / classes)),
  // bias 0, from a stream of its own.
  NetworkDescription d = DescribeFbnet(arch, options);
  const Layer& classifier = d.layer(d.output());
  if (classifier.kind != LayerKind::kLinear) throw Error("DescribeFbnet: the last layer is not the classifier");
  std::mt19937_64 rng(SplitMix64(network_seed ^ 0x6c696e656172ULL));  // "linear"
  std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt(2.0 / classifier.shape.channels)));
  std::vector<float> weight(classifier.weight.size());
  for (float& v : weight) v = w(rng);
  // Rebuild the description with the new classifier (descriptions are append-only).
  NetworkDescription out(d.input_shape());
  for (std::size_t i = 1; i < d.layers().size(); ++i) {
    const Layer& l = d.layers()[i];
    switch (l.kind) {
      case LayerKind::kConv:
        out.Conv(l.name, l.inputs[0], l.shape.channels, l.kernel, l.stride, l.padding, l.groups, l.weight, l.bias);
        break;
      case LayerKind::kBatchNorm: out.BatchNorm(l.name, l.inputs[0], l.scale, l.bias, l.mean, l.var, l.eps); break;
      case LayerKind::kRelu: out.Relu(l.name, l.inputs[0]); break;
      case LayerKind::kAdd: out.Add(l.name, l.inputs); break;
      case LayerKind::kChannelShuffle: out.ChannelShuffle(l.name, l.inputs[0], l.groups); break;
      case LayerKind::kGlobalAvgPool: out.GlobalAvgPool(l.name, l.inputs[0]); break;
      case LayerKind::kLinear:
        out.Linear(l.name, l.inputs[0], l.shape.channels, weight, std::vector<float>(l.bias.size(), 0.0f));
        break;
      default: throw Error(fmt::format("DescribeFbnet: unexpected layer '{}'", l.name));
    }
  }
  return out;
}

std::vector<int> FbnetZooFeatureLayers(const NetworkDescription& d) {
  int stem = -1;
  std::vector<int> last(kFbnetNumLayers, -1);
  for (std::size_t i = 0; i < d.layers().size(); ++i) {
    const std::string& name = d.layers()[i].name;
    if (name == "stem/relu") stem = static_cast<int>(i);
    if (name.rfind("layer", 0) != 0) continue;
    const std::size_t slash = name.find('/');
    const int n = std::stoi(name.substr(5, slash - 5));
    if (n < 1 || n > kFbnetNumLayers) throw Error(fmt::format("FBNet description: layer '{}' out of range", name));
    last[static_cast<std::size_t>(n - 1)] = static_cast<int>(i);
  }
  if (stem < 0) throw Error("FBNet description: no 'stem/relu' layer");
  std::vector<int> out{stem};
  for (int index : last) {
    if (index >= 0) out.push_back(index);
  }
  return out;
}

FbnetProxyEvaluator::FbnetProxyEvaluator(const fs::path& cifar_sample, const FbnetProxyOptions& options)
    : options_(options),
      backend_(SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_new_fbnet_proxy_evaluator)(cifar_sample, options)) {}

FbnetProxyEvaluator::~FbnetProxyEvaluator() = default;

FbnetProxyValues FbnetProxyEvaluator::Evaluate(const FbnetArch& arch) { return backend_->Evaluate(arch); }

double FbnetProxyEvaluator::Naswot(const FbnetArch& arch) { return backend_->Naswot(arch); }

double FbnetProxyEvaluator::LogSynflow(const FbnetArch& arch) { return backend_->LogSynflow(arch); }

ZooValues FbnetProxyEvaluator::Zoo(const FbnetArch& arch, ZooMask proxies) { return backend_->Zoo(arch, proxies); }

// ---------------------------------------------------------------------------------------
// Cache.

std::string FormatFbnetProxyValues(const FbnetProxyValues& v) {
  std::string text = fmt::format("naswot {}\nlogsynflow {}\nparams {}\nflops {}\n", FormatDouble(v.naswot),
                                 FormatDouble(v.logsynflow), v.params, v.flops);
  if (v.zoo) {
    // The zoo's params and flops are the lines above (the same closed form), not written twice.
    for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
      if (kZooProxyNames[i] == "params" || kZooProxyNames[i] == "flops" || std::isnan(v.zoo->values[i])) continue;
      text += fmt::format("{} {}\n", kZooProxyNames[i], FormatDouble(v.zoo->values[i]));
    }
  }
  return text;
}

std::optional<FbnetProxyValues> ParseFbnetProxyValues(const std::string& text) {
  std::istringstream in(text);
  FbnetProxyValues v;
  std::string key, value;
  int seen = 0;
  while (in >> key >> value) {
    try {
      std::size_t used = 0;
      if (key == "naswot") {
        v.naswot = value == "-inf" ? -std::numeric_limits<double>::infinity() : std::stod(value, &used);
        if (value == "-inf") used = value.size();
      } else if (key == "logsynflow") {
        v.logsynflow = std::stod(value, &used);
      } else if (key == "params") {
        v.params = std::stoll(value, &used);
      } else if (key == "flops") {
        v.flops = std::stoll(value, &used);
      } else if (const std::optional<int> zoo = ZooProxyIndex(key); zoo && key != "params" && key != "flops") {
        if (!v.zoo) {
          v.zoo.emplace();
          v.zoo->values.fill(std::numeric_limits<double>::quiet_NaN());
        }
        double& slot = v.zoo->values[static_cast<std::size_t>(*zoo)];
        if (!std::isnan(slot)) return std::nullopt;  // twice
        slot = value == "-inf" ? -std::numeric_limits<double>::infinity() : std::stod(value, &used);
        if (value == "-inf") used = value.size();
        if (std::isnan(slot)) return std::nullopt;
        --seen;  // not one of the four
      } else {
        return std::nullopt;
      }
      if (used != value.size()) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    ++seen;
  }
  if (seen != 4 || !std::isfinite(v.logsynflow) || std::isnan(v.naswot)) return std::nullopt;
  if (v.zoo) {
    (*v.zoo)["params"] = static_cast<double>(v.params);
    (*v.zoo)["flops"] = static_cast<double>(v.flops);
  }
  return v;
}

FbnetProxyCache::FbnetProxyCache(fs::path cache_dir, std::uint64_t seed)
    : dir_(cache_dir / "proxies" / "fbnet" / fmt::format("cifar100-seed{}-v{}", seed, kFbnetProxyMethodVersion)) {}

fs::path FbnetProxyCache::FileOf(const FbnetArch& arch) const { return dir_ / (arch.ToString() + ".txt"); }

std::string FbnetProxyCache::KeyOf(const FbnetArch& arch) const {
  return fmt::format("{}/{}", dir_.filename().string(), arch.ToString());
}

std::optional<FbnetProxyValues> FbnetProxyCache::Get(const FbnetArch& arch) const {
  const std::optional<std::string> text = ReadVerifiedCacheFile(FileOf(arch), KeyOf(arch));
  if (!text) return std::nullopt;
  return ParseFbnetProxyValues(*text);
}

void FbnetProxyCache::Put(const FbnetArch& arch, const FbnetProxyValues& values) const {
  WriteVerifiedCacheFile(FileOf(arch), KeyOf(arch), FormatFbnetProxyValues(values));
}

}  // namespace simnas
