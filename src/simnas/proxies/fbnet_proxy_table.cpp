#include "simnas/proxies/fbnet_proxy_table.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMagic = "# simnas fbnet proxy table v1";
constexpr const char* kColumns = "index,arch,naswot,logsynflow,params,flops";
const double kNaN = std::numeric_limits<double>::quiet_NaN();

double ParseNumber(const std::string& text, const std::string& where) {
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  try {
    std::size_t used = 0;
    const double x = std::stod(text, &used);
    if (used == text.size() && std::isfinite(x)) return x;
  } catch (const std::exception&) {
  }
  throw DataError(fmt::format("{}: '{}' is not a number", where, text));
}

std::string Number(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{:.17g}", x);
}

FbnetProxyTable Empty(std::size_t rows) {
  FbnetProxyTable t;
  t.arch.assign(rows, "");
  t.naswot.assign(rows, kNaN);
  t.logsynflow.assign(rows, kNaN);
  t.params.assign(rows, kNaN);
  t.flops.assign(rows, kNaN);
  return t;
}

// The provenance keys that must agree to resume.
constexpr const char* kIdentityKeys[] = {"dataset", "seed", "method_version", "images"};

}  // namespace

std::int64_t FbnetProxyTable::Filled() const {
  std::int64_t n = 0;
  for (double x : logsynflow) n += std::isnan(x) ? 0 : 1;
  return n;
}

ProxyTable FbnetProxyTable::AsProxyTable() const {
  ProxyTable t;
  t.dataset = Dataset::kCifar100;
  t.naswot = naswot;
  t.logsynflow = logsynflow;
  t.zoo["params"] = params;
  t.zoo["flops"] = flops;
  t.provenance = provenance;
  t.source = source;
  return t;
}

fs::path FbnetProxyTableFile(const fs::path& tables_dir) { return tables_dir / "fbnet" / "cifar100.csv"; }

FbnetProxyTable LoadPartialFbnetProxyTable(const fs::path& path, std::size_t rows) {
  std::ifstream in(path);
  if (!in) {
    throw DataError(fmt::format("{}: cannot open the FBNet proxy table (computed by simnas --space fbnet proxies --all)",
                                path.string()));
  }
  FbnetProxyTable t = Empty(rows);
  t.source = path.string();
  std::string line;
  int number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = fmt::format("{}:{}", path.string(), number);
    if (number == 1) {
      if (line != kMagic) throw DataError(fmt::format("{}: not an FBNet proxy table (expected '{}')", where, kMagic));
      continue;
    }
    if (line.rfind("# ", 0) == 0) {
      const std::size_t colon = line.find(": ");
      if (colon != std::string::npos) t.provenance[line.substr(2, colon - 2)] = line.substr(colon + 2);
      continue;
    }
    if (line.empty()) continue;
    if (!header) {
      if (line != kColumns) throw DataError(fmt::format("{}: expected the columns '{}'", where, kColumns));
      header = true;
      continue;
    }
    const std::vector<std::string> f = Split(line, ',');
    if (f.size() != 6) throw DataError(fmt::format("{}: expected 6 fields, found {}", where, f.size()));
    const double index = ParseNumber(f[0], where);
    if (index < 0 || index >= static_cast<double>(rows) || index != std::floor(index)) {
      throw DataError(fmt::format("{}: index {} is not in [0, {})", where, f[0], rows));
    }
    const auto i = static_cast<std::size_t>(index);
    if (!std::isnan(t.logsynflow[i])) throw DataError(fmt::format("{}: index {} appears twice", where, i));
    try {
      FbnetArch::Parse(f[1]);
    } catch (const ParseError& e) {
      throw DataError(fmt::format("{}: {}", where, e.what()));
    }
    t.arch[i] = f[1];
    t.naswot[i] = ParseNumber(f[2], where);
    t.logsynflow[i] = ParseNumber(f[3], where);
    t.params[i] = ParseNumber(f[4], where);
    t.flops[i] = ParseNumber(f[5], where);
    if (std::isinf(t.logsynflow[i]) || std::isinf(t.params[i]) || std::isinf(t.flops[i])) {
      throw DataError(fmt::format("{}: only naswot may be -inf", where));
    }
  }
  if (!header) throw DataError(fmt::format("{}: no column line '{}'", path.string(), kColumns));
  return t;
}

FbnetProxyTable LoadFbnetProxyTable(const fs::path& path, const std::vector<FbnetArch>& help_archs) {
  FbnetProxyTable t = LoadPartialFbnetProxyTable(path, help_archs.size());
  for (std::size_t i = 0; i < help_archs.size(); ++i) {
    if (std::isnan(t.logsynflow[i])) {
      throw DataError(fmt::format("{}: row for index {} is missing ({} of {} rows present)", path.string(), i,
                                  t.Filled(), help_archs.size()));
    }
    const std::string expected = help_archs[i].ToString();
    if (t.arch[i] != expected) {
      throw DataError(fmt::format("{}: index {} is '{}', but HELP's arch.pt row {} is '{}'", path.string(), i,
                                  t.arch[i], i, expected));
    }
  }
  return t;
}

void SaveFbnetProxyTable(const fs::path& path, const FbnetProxyTable& table) {
  std::string out = std::string(kMagic) + "\n";
  for (const auto& [key, value] : table.provenance) out += fmt::format("# {}: {}\n", key, value);
  out += std::string(kColumns) + "\n";
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (std::isnan(table.logsynflow[i])) continue;
    out += fmt::format("{},{},{},{},{},{}\n", i, table.arch[i], Number(table.naswot[i]), Number(table.logsynflow[i]),
                       Number(table.params[i]), Number(table.flops[i]));
  }
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  WriteFileAtomically(path, out);
}

std::vector<double> FbnetAggregateScores(const FbnetProxyTable& table, const ProxyAggregate& aggregate) {
  return ProxyScores(table.AsProxyTable(), aggregate).values();
}

FbnetProxyTableBuild BuildFbnetProxyTable(const FbnetProxyTableJob& job, const fs::path& cifar_sample,
                                          const std::vector<FbnetArch>& archs) {
  using Clock = std::chrono::steady_clock;
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
      {"architectures", "HELP's 5,000 FBNet networks (help-fbnet/arch.pt), row = index"},
  };
  if (!job.command.empty()) provenance["command"] = job.command;

  FbnetProxyTable table = Empty(archs.size());
  FbnetProxyTableBuild build;
  build.rows = static_cast<std::int64_t>(archs.size());
  if (fs::exists(job.out)) {
    FbnetProxyTable saved = LoadPartialFbnetProxyTable(job.out, archs.size());
    for (const char* key : kIdentityKeys) {
      const auto it = saved.provenance.find(key);
      if (it == saved.provenance.end() || it->second != provenance.at(key)) {
        throw DataError(fmt::format("{} (to resume): {} is {}, this run's is '{}'", job.out.string(), key,
                                    it == saved.provenance.end() ? "(none)" : "'" + it->second + "'",
                                    provenance.at(key)));
      }
    }
    for (std::size_t i = 0; i < archs.size(); ++i) {
      if (std::isnan(saved.logsynflow[i])) continue;
      if (saved.arch[i] != archs[i].ToString()) {
        throw DataError(fmt::format("{} (to resume): index {} is '{}', but the architecture there is '{}'",
                                    job.out.string(), i, saved.arch[i], archs[i].ToString()));
      }
    }
    table = std::move(saved);
    build.resumed = table.Filled();
  }
  table.provenance = provenance;

  FbnetProxyEvaluator evaluator(cifar_sample, job.options);
  const auto start = Clock::now();
  auto last_save = start;
  const auto save = [&] { SaveFbnetProxyTable(job.out, table); };
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (!std::isnan(table.logsynflow[i])) continue;
    if (InterruptRequested()) {
      save();
      ThrowIfInterrupted("simnas --space fbnet proxies --all");
    }
    const FbnetProxyValues v = evaluator.Evaluate(archs[i]);
    table.arch[i] = archs[i].ToString();
    table.naswot[i] = v.naswot;
    table.logsynflow[i] = v.logsynflow;
    table.params[i] = static_cast<double>(v.params);
    table.flops[i] = static_cast<double>(v.flops);
    ++build.computed;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_save).count() >= job.save_every) {
      save();
      last_save = now;
      const double seconds = std::chrono::duration<double>(now - start).count();
      const double rate = static_cast<double>(build.computed) / seconds * 60.0;
      const double left = static_cast<double>(build.rows - table.Filled());
      fmt::print(stderr, "fbnet proxies: {}/{} ({:.1f} networks/min, ~{:.0f} min left), saved {}\n", table.Filled(),
                 build.rows, rate, left / rate, job.out.string());
    }
  }
  save();
  build.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return build;
}

}  // namespace simnas
