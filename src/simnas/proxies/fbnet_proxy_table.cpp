#include "simnas/proxies/fbnet_proxy_table.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/shipped_files.h"
#include "simnas/space/space.h"
#include "simnas/spaces/fbnet/fbnet_proxy_network.h"
#include "simnas/spaces/fbnet/fbnet_space.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

ProxyTable Empty(const CandidateSet& candidates) {
  const auto rows = static_cast<std::size_t>(candidates.size());
  ProxyTable t;
  t.space = std::string(candidates.space().name());
  t.dataset = Dataset::kCifar100;
  t.arch.assign(rows, "");
  t.naswot.assign(rows, kNaN);
  t.logsynflow.assign(rows, kNaN);
  t.zoo["params"].assign(rows, kNaN);
  t.zoo["flops"].assign(rows, kNaN);
  return t;
}

// The provenance keys that must agree to resume.
constexpr const char* kIdentityKeys[] = {"dataset", "seed", "method_version", "images"};

}  // namespace

FbnetProxyTableBuild BuildFbnetProxyTable(const FbnetProxyTableJob& job, const fs::path& cifar_sample,
                                          const CandidateSet& candidates) {
  using Clock = std::chrono::steady_clock;
  RequireNotShipped(job.out);  // before anything is computed
  std::map<std::string, std::string> provenance = {
      {"dataset", "cifar100"},
      {"seed", std::to_string(job.options.seed)},
      {"method_version", std::to_string(kFbnetProxyMethodVersion)},
      {"images", job.images.empty() ? "cifar10-sample (first 64 images)" : job.images},
      {"method",
       "FreeREA on FBNet (HW-NAS-Bench CIFAR network, 100 classes, 32x32): NASWOT (train-mode BatchNorm, 64 "
       "images, every ReLU), LogSynflow (no BatchNorm, |w|, all-ones input, double); Kaiming-normal fan_out "
       "init; params and flops (multiply-adds) in closed form"},
      {"implementation", job.options.reference_implementation ? "reference" : "fast"},
      {"architectures", candidates.source() + ", row = index"},
  };
  if (!job.command.empty()) provenance["command"] = job.command;
  if (job.zoo_rows < 0) throw ParseError(fmt::format("zoo rows must be >= 0, got {}", job.zoo_rows));
  const Space& space = candidates.space();
  const auto rows = static_cast<std::size_t>(candidates.size());

  ProxyTable table = Empty(candidates);
  FbnetProxyTableBuild build;
  build.rows = static_cast<std::int64_t>(rows);
  if (fs::exists(job.out)) {
    ProxyTable saved = LoadPartialProxyTable(job.out, candidates, Dataset::kCifar100);
    for (const char* key : kIdentityKeys) {
      const auto it = saved.provenance.find(key);
      if (it == saved.provenance.end() || it->second != provenance.at(key)) {
        throw DataError(fmt::format("{} (to resume): {} is {}, this run's is '{}'", job.out.string(), key,
                                    it == saved.provenance.end() ? "(none)" : "'" + it->second + "'",
                                    provenance.at(key)));
      }
    }
    if (saved.arch.empty() || !saved.zoo.contains("params") || !saved.zoo.contains("flops")) {
      throw DataError(fmt::format("{} (to resume): no arch, params or flops column", job.out.string()));
    }
    table = std::move(saved);
    build.resumed = table.Filled();
  }
  const std::int64_t zoo_rows = std::min<std::int64_t>(job.zoo_rows, static_cast<std::int64_t>(rows));
  if (zoo_rows > 0) {
    provenance["zoo"] = fmt::format(
        "the zoo of fbnet_proxies.h ({} images per mini-batch) for rows [0, {}) at least; empty fields: not computed",
        kFbnetZooImages, zoo_rows);
    for (const std::string_view name : kZooProxyNames) {
      if (!table.zoo.contains(std::string(name))) table.zoo[std::string(name)].assign(rows, kNaN);
    }
  } else if (table.zoo.size() > 2) {
    provenance["zoo"] = table.provenance.contains("zoo") ? table.provenance.at("zoo") : "partly computed";
  }
  table.provenance = provenance;
  // A row's zoo is there when its meco is (rows hold all of it or none).
  const auto zoo_wanted = [&](std::size_t i) {
    return static_cast<std::int64_t>(i) < zoo_rows && std::isnan(table.zoo.at("meco")[i]);
  };

  FbnetProxyOptions options = job.options;
  options.zoo = kNoZooProxies;
  FbnetProxyEvaluator evaluator(cifar_sample, options);
  options.zoo = kAllZooProxies;
  FbnetProxyEvaluator zoo_evaluator(cifar_sample, options);
  const auto start = Clock::now();
  auto last_save = start;
  const auto save = [&] { SaveProxyTable(job.out, table); };
  for (std::size_t i = 0; i < rows; ++i) {
    const bool whole = !table.Has(i);
    const bool zoo = zoo_wanted(i);
    if (!whole && !zoo) continue;
    if (InterruptRequested()) {
      save();
      ThrowIfInterrupted("simnas --space fbnet proxies --all");
    }
    const Arch& arch = candidates.at(static_cast<int>(i));
    const auto store_zoo = [&](const ZooValues& z) {
      for (auto& [name, column] : table.zoo) {
        if (name != "params" && name != "flops") column[i] = z[name];
      }
    };
    if (whole) {
      const FbnetProxyValues v = zoo ? zoo_evaluator.Evaluate(FbnetOf(arch)) : evaluator.Evaluate(FbnetOf(arch));
      if (zoo) store_zoo(*v.zoo);
      table.arch[i] = space.Format(arch);
      table.naswot[i] = v.naswot;
      table.logsynflow[i] = v.logsynflow;
      table.zoo["params"][i] = static_cast<double>(v.params);
      table.zoo["flops"][i] = static_cast<double>(v.flops);
      ++build.computed;
    } else {
      store_zoo(zoo_evaluator.Zoo(FbnetOf(arch)));
      ++build.zoo_computed;
    }
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_save).count() >= job.save_every) {
      save();
      last_save = now;
      const double seconds = std::chrono::duration<double>(now - start).count();
      const double rate = static_cast<double>(build.computed + build.zoo_computed) / seconds * 60.0;
      fmt::print(stderr, "fbnet proxies: {}/{} rows, zoo {}/{} ({:.1f} networks/min), saved {}\n", table.Filled(),
                 build.rows, table.ZooFilled(), zoo_rows, rate, job.out.string());
    }
  }
  save();
  build.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return build;
}

}  // namespace simnas
