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

std::string FormatDouble(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{:.17g}", x);
}

}  // namespace

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
