// The torch-free side of described_proxies.h: the cache, and DescribedProxyEvaluator asking the
// space for the network and handing it to the torch plugin's evaluator
// (described_proxies_torch.cpp).
#include "simnas/proxies/described_proxies.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/plugin.h"
#include "simnas/core/verified_cache.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::string FormatDouble(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{:.17g}", x);
}

void CheckDataset(const Space& space, Dataset dataset) {
  const std::vector<Dataset> datasets = space.Datasets();
  if (std::find(datasets.begin(), datasets.end(), dataset) != datasets.end()) return;
  std::string known;
  for (Dataset d : datasets) known += (known.empty() ? "" : ", ") + std::string(DatasetName(d));
  throw ParseError(fmt::format("{} networks are not built for {} (its datasets: {})", space.name(),
                               DatasetName(dataset), known));
}

}  // namespace

DescribedProxyEvaluator::DescribedProxyEvaluator(const Space& space, const fs::path& cifar_sample,
                                                 const DescribedProxyOptions& options)
    : space_(space), options_(options) {
  if (!options_.dataset) options_.dataset = space.Datasets().front();
  CheckDataset(space, *options_.dataset);
  backend_.reset(SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_new_described_proxy_evaluator)(cifar_sample, options));
}

DescribedProxyEvaluator::~DescribedProxyEvaluator() = default;

ProxyNetwork DescribedProxyEvaluator::NetworkOf(const Arch& arch) const {
  if (arch.empty() || &arch.space() != &space_) {
    throw Error(fmt::format("{} is not a network of the {} space", arch.ToString(), space_.name()));
  }
  return space_.DescribeForProxies(arch, *options_.dataset, options_.seed);
}

DescribedProxyValues DescribedProxyEvaluator::Evaluate(const Arch& arch) { return backend_->Evaluate(NetworkOf(arch)); }

double DescribedProxyEvaluator::Naswot(const Arch& arch) { return backend_->Naswot(NetworkOf(arch)); }

double DescribedProxyEvaluator::LogSynflow(const Arch& arch) { return backend_->LogSynflow(NetworkOf(arch)); }

ZooValues DescribedProxyEvaluator::Zoo(const Arch& arch, ZooMask proxies) {
  return backend_->Zoo(NetworkOf(arch), proxies);
}

// ---------------------------------------------------------------------------------------
// Cache.

std::string FormatDescribedProxyValues(const DescribedProxyValues& v) {
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

std::optional<DescribedProxyValues> ParseDescribedProxyValues(const std::string& text) {
  std::istringstream in(text);
  DescribedProxyValues v;
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

DescribedProxyCache::DescribedProxyCache(fs::path cache_dir, const Space& space, Dataset dataset, std::uint64_t seed)
    : space_(space),
      dir_(cache_dir / "proxies" / std::string(space.name()) /
           fmt::format("{}-seed{}-v{}", DatasetName(dataset), seed, kDescribedProxyMethodVersion)) {}

fs::path DescribedProxyCache::FileOf(const Arch& arch) const { return dir_ / (space_.Format(arch) + ".txt"); }

std::string DescribedProxyCache::KeyOf(const Arch& arch) const {
  return fmt::format("{}/{}", dir_.filename().string(), space_.Format(arch));
}

std::optional<DescribedProxyValues> DescribedProxyCache::Get(const Arch& arch) const {
  const std::optional<std::string> text = ReadVerifiedCacheFile(FileOf(arch), KeyOf(arch));
  if (!text) return std::nullopt;
  return ParseDescribedProxyValues(*text);
}

void DescribedProxyCache::Put(const Arch& arch, const DescribedProxyValues& values) const {
  WriteVerifiedCacheFile(FileOf(arch), KeyOf(arch), FormatDescribedProxyValues(values));
}

}  // namespace simnas
