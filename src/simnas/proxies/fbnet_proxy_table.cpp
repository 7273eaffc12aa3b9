#include "simnas/proxies/fbnet_proxy_table.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/shipped_files.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMagic = "# simnas fbnet proxy table v1";
constexpr const char* kMagicV2 = "# simnas fbnet proxy table v2";
constexpr const char* kColumns = "index,arch,naswot,logsynflow,params,flops";

// The zoo's columns of a v2 table, in kZooProxyNames order (params and flops are FreeREA's columns).
std::vector<std::string> ZooColumns() {
  std::vector<std::string> out;
  for (const std::string_view name : kZooProxyNames) {
    if (name != "params" && name != "flops") out.emplace_back(name);
  }
  return out;
}

std::string ColumnsLine(bool zoo) {
  std::string line = kColumns;
  if (zoo) {
    for (const std::string& name : ZooColumns()) line += "," + name;
  }
  return line;
}
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

std::int64_t FbnetProxyTable::ZooFilled() const {
  if (zoo.empty()) return 0;
  std::int64_t n = 0;
  for (double x : zoo.begin()->second) n += std::isnan(x) ? 0 : 1;
  return n;
}

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
  for (const auto& [name, column] : zoo) t.zoo[name] = column;
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
      if (line != kMagic && line != kMagicV2) {
        throw DataError(fmt::format("{}: not an FBNet proxy table (expected '{}' or '{}')", where, kMagic, kMagicV2));
      }
      if (line == kMagicV2) {
        for (const std::string& name : ZooColumns()) t.zoo[name].assign(rows, kNaN);
      }
      continue;
    }
    if (line.rfind("# ", 0) == 0) {
      const std::size_t colon = line.find(": ");
      if (colon != std::string::npos) t.provenance[line.substr(2, colon - 2)] = line.substr(colon + 2);
      continue;
    }
    if (line.empty()) continue;
    const bool v2 = !t.zoo.empty();
    if (!header) {
      if (line != ColumnsLine(v2)) throw DataError(fmt::format("{}: expected the columns '{}'", where, ColumnsLine(v2)));
      header = true;
      continue;
    }
    const std::vector<std::string> f = Split(line, ',');
    const std::vector<std::string> zoo_columns = v2 ? ZooColumns() : std::vector<std::string>{};
    if (f.size() != 6 + zoo_columns.size()) {
      throw DataError(fmt::format("{}: expected {} fields, found {}", where, 6 + zoo_columns.size(), f.size()));
    }
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
      throw DataError(fmt::format("{}: only naswot and the zoo may be -inf", where));
    }
    // The zoo's fields: all empty (not computed) or all numbers.
    std::size_t empty = 0;
    for (std::size_t k = 0; k < zoo_columns.size(); ++k) empty += f[6 + k].empty() ? 1 : 0;
    if (empty != 0 && empty != zoo_columns.size()) {
      throw DataError(fmt::format("{}: the zoo's fields are partly empty (all or none)", where));
    }
    if (empty == 0) {
      for (std::size_t k = 0; k < zoo_columns.size(); ++k) t.zoo[zoo_columns[k]][i] = ParseNumber(f[6 + k], where);
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
  const bool v2 = !table.zoo.empty();
  const std::vector<std::string> zoo_columns = v2 ? ZooColumns() : std::vector<std::string>{};
  for (const std::string& name : zoo_columns) {
    if (!table.zoo.contains(name)) throw Error(fmt::format("FBNet proxy table: zoo column '{}' missing", name));
  }
  std::string out = std::string(v2 ? kMagicV2 : kMagic) + "\n";
  for (const auto& [key, value] : table.provenance) out += fmt::format("# {}: {}\n", key, value);
  out += ColumnsLine(v2) + "\n";
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (std::isnan(table.logsynflow[i])) continue;
    out += fmt::format("{},{},{},{},{},{}", i, table.arch[i], Number(table.naswot[i]), Number(table.logsynflow[i]),
                       Number(table.params[i]), Number(table.flops[i]));
    for (const std::string& name : zoo_columns) {
      const double x = table.zoo.at(name)[i];
      out += ',';
      if (!std::isnan(x)) out += Number(x);
    }
    out += "\n";
  }
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  WriteFileAtomically(path, out);
}

std::vector<double> FbnetAggregateScores(const FbnetProxyTable& table, const ProxyAggregate& aggregate) {
  // A zoo column held for some rows only cannot rank the others.
  for (const std::string& column : aggregate.proxies) {
    const auto it = table.zoo.find(column);
    if (it == table.zoo.end()) continue;
    const auto missing = std::count_if(it->second.begin(), it->second.end(), [](double x) { return std::isnan(x); });
    if (missing > 0) {
      throw DataError(fmt::format("{}: recipe '{}' reads '{}', which this table holds for {} of its {} rows only "
                                  "(the zoo of its first rows: simnas --space fbnet proxies --all --zoo-rows N)",
                                  table.source.empty() ? "FBNet proxy table" : table.source, aggregate.name, column,
                                  static_cast<std::int64_t>(it->second.size()) - missing, it->second.size()));
    }
  }
  return ProxyScores(table.AsProxyTable(), aggregate).values();
}

std::vector<FbnetScoreCorrelation> FbnetScoreCorrelations(const FbnetProxyTable& table,
                                                          const std::vector<double>& reference) {
  if (reference.size() != table.size()) {
    throw Error(fmt::format("FbnetScoreCorrelations: {} reference scores for {} rows", reference.size(), table.size()));
  }
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const bool zoo = table.zoo.empty() || !std::isnan(table.zoo.begin()->second[i]);
    if (!std::isnan(table.logsynflow[i]) && zoo && !std::isnan(reference[i])) rows.push_back(i);
  }
  if (rows.size() < 3) {
    throw DataError(fmt::format("{}: {} rows with every score, too few to correlate", table.source, rows.size()));
  }
  const auto pick = [&](const std::vector<double>& column) {
    std::vector<double> out;
    for (std::size_t i : rows) out.push_back(column[i]);
    return out;
  };
  const std::vector<double> flops = pick(table.flops), params = pick(table.params), ref = pick(reference);
  std::vector<std::pair<std::string, const std::vector<double>*>> columns = {{"naswot", &table.naswot},
                                                                             {"logsynflow", &table.logsynflow}};
  for (const std::string& name : ZooColumns()) {
    if (name != "az_complexity" && table.zoo.contains(name)) columns.emplace_back(name, &table.zoo.at(name));
  }
  std::vector<FbnetScoreCorrelation> out;
  for (const auto& [name, column] : columns) {
    const std::vector<double> x = pick(*column);
    out.push_back({name, static_cast<std::int64_t>(rows.size()), Spearman(x, flops), Spearman(x, params),
                   Spearman(x, ref)});
  }
  return out;
}

FbnetProxyTableBuild BuildFbnetProxyTable(const FbnetProxyTableJob& job, const fs::path& cifar_sample,
                                          const std::vector<FbnetArch>& archs) {
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
      {"architectures", "HELP's 5,000 FBNet networks (help-fbnet/arch.pt), row = index"},
  };
  if (!job.command.empty()) provenance["command"] = job.command;
  if (job.zoo_rows < 0) throw ParseError(fmt::format("zoo rows must be >= 0, got {}", job.zoo_rows));

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
  const std::int64_t zoo_rows = std::min<std::int64_t>(job.zoo_rows, static_cast<std::int64_t>(archs.size()));
  if (zoo_rows > 0) {
    provenance["zoo"] = fmt::format(
        "the zoo of fbnet_proxies.h ({} images per mini-batch) for rows [0, {}) at least; empty fields: not computed",
        kFbnetZooImages, zoo_rows);
    for (const std::string& name : ZooColumns()) {
      if (!table.zoo.contains(name)) table.zoo[name].assign(archs.size(), kNaN);
    }
  } else if (!table.zoo.empty()) {
    provenance["zoo"] = table.provenance.contains("zoo") ? table.provenance.at("zoo") : "partly computed";
  }
  table.provenance = provenance;
  // A row's zoo is there when its first zoo column is (rows hold all of it or none).
  const std::vector<double>* first_zoo_column = table.zoo.empty() ? nullptr : &table.zoo.begin()->second;
  const auto zoo_wanted = [&](std::size_t i) {
    return static_cast<std::int64_t>(i) < zoo_rows && std::isnan((*first_zoo_column)[i]);
  };

  FbnetProxyOptions options = job.options;
  options.zoo = kNoZooProxies;
  FbnetProxyEvaluator evaluator(cifar_sample, options);
  options.zoo = kAllZooProxies;
  FbnetProxyEvaluator zoo_evaluator(cifar_sample, options);
  const auto start = Clock::now();
  auto last_save = start;
  const auto save = [&] { SaveFbnetProxyTable(job.out, table); };
  for (std::size_t i = 0; i < archs.size(); ++i) {
    const bool whole = std::isnan(table.logsynflow[i]);
    const bool zoo = zoo_wanted(i);
    if (!whole && !zoo) continue;
    if (InterruptRequested()) {
      save();
      ThrowIfInterrupted("simnas --space fbnet proxies --all");
    }
    const auto store_zoo = [&](const ZooValues& z) {
      for (auto& [name, column] : table.zoo) column[i] = z[name];
    };
    if (whole) {
      const FbnetProxyValues v = zoo ? zoo_evaluator.Evaluate(archs[i]) : evaluator.Evaluate(archs[i]);
      if (zoo) store_zoo(*v.zoo);
      table.arch[i] = archs[i].ToString();
      table.naswot[i] = v.naswot;
      table.logsynflow[i] = v.logsynflow;
      table.params[i] = static_cast<double>(v.params);
      table.flops[i] = static_cast<double>(v.flops);
      ++build.computed;
    } else {
      store_zoo(zoo_evaluator.Zoo(archs[i]));
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
