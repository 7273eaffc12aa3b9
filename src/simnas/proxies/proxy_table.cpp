#include "simnas/proxies/proxy_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/proxies/zoo.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {
namespace fs = std::filesystem;

fs::path ProxyTableFile(const fs::path& dir, Dataset dataset) {
  return dir / (std::string(DatasetName(dataset)) + ".csv");
}

namespace {

std::optional<double> ParseValue(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t == "-inf") return -std::numeric_limits<double>::infinity();
  return ParseDouble(t);
}

std::string FormatValue(double v) {
  if (std::isinf(v) && v < 0) return "-inf";
  return fmt::format("{:.10g}", v);
}

}  // namespace

namespace {

ProxyTable ParseProxyTable(const fs::path& path, Dataset dataset, bool require_complete, bool check_dataset = true) {
  const std::string text = ReadFile(path);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProxyTable table;
  table.dataset = dataset;
  table.naswot.assign(kNumCells, nan);
  table.logsynflow.assign(kNumCells, nan);
  table.skip.assign(kNumCells, nan);
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool header_seen = false;
  table.source = path.string();
  std::vector<std::vector<double>*> zoo_columns;  // in the header's order
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view body = Trim(line);
    if (body.empty()) continue;
    if (body.front() == '#') {
      const std::string_view kv = Trim(body.substr(1));
      if (const auto colon = kv.find(':'); colon != std::string_view::npos) {
        table.provenance[std::string(Trim(kv.substr(0, colon)))] = std::string(Trim(kv.substr(colon + 1)));
      }
      continue;
    }
    const std::vector<std::string> f = Split(body, ',');
    if (!header_seen) {
      if (f.size() < 4 || Trim(f[0]) != "index" || Trim(f[1]) != "naswot" || Trim(f[2]) != "logsynflow" ||
          Trim(f[3]) != "skip") {
        throw DataError(fmt::format("{}:{}: expected the header 'index,naswot,logsynflow,skip' (then the zoo's "
                                    "columns in a v2 table)",
                                    path.string(), line_no));
      }
      for (std::size_t c = 4; c < f.size(); ++c) {
        const std::string name(Trim(f[c]));
        if (!ZooProxyIndex(name) || table.zoo.count(name) > 0) {
          throw DataError(fmt::format("{}:{}: column '{}' is not a zoo proxy or appears twice", path.string(), line_no,
                                      name));
        }
        table.zoo[name].assign(kNumCells, nan);
        zoo_columns.push_back(&table.zoo[name]);
      }
      header_seen = true;
      continue;
    }
    const bool width = f.size() == 4 + zoo_columns.size();
    const auto index = width ? ParseInt(f[0]) : std::nullopt;
    const auto naswot = width ? ParseValue(f[1]) : std::nullopt;
    const auto synflow = width ? ParseDouble(f[2]) : std::nullopt;
    const auto skip = width ? ParseDouble(f[3]) : std::nullopt;
    std::vector<double> zoo_values;
    bool zoo_ok = width;
    for (std::size_t c = 0; zoo_ok && c < zoo_columns.size(); ++c) {
      const auto v = ParseValue(f[4 + c]);
      zoo_ok = v.has_value() && !std::isnan(*v);
      if (zoo_ok) zoo_values.push_back(*v);
    }
    if (!index || *index < 0 || *index >= kNumCells || !naswot || !synflow || !skip || !zoo_ok) {
      throw DataError(fmt::format("{}:{}: malformed row {}", path.string(), line_no, Quoted(body)));
    }
    const auto i = static_cast<std::size_t>(*index);
    if (!std::isnan(table.skip[i])) {
      throw DataError(fmt::format("{}:{}: index {} appears twice", path.string(), line_no, *index));
    }
    table.naswot[i] = *naswot;
    table.logsynflow[i] = *synflow;
    table.skip[i] = *skip;
    for (std::size_t c = 0; c < zoo_columns.size(); ++c) (*zoo_columns[c])[i] = zoo_values[c];
  }
  if (!header_seen) throw DataError(fmt::format("{}: no 'index,naswot,logsynflow,skip' header", path.string()));
  if (const auto it = table.provenance.find("dataset");
      check_dataset && it != table.provenance.end() && it->second != DatasetName(dataset)) {
    throw DataError(fmt::format("{}: a proxy table of dataset '{}', but '{}' was asked for (see --dataset)",
                                path.string(), it->second, DatasetName(dataset)));
  }
  for (std::size_t i = 0; require_complete && i < table.skip.size(); ++i) {
    if (std::isnan(table.skip[i])) {
      throw DataError(fmt::format("{}: index {} is missing (the table is incomplete)", path.string(), i));
    }
  }
  return table;
}

}  // namespace

ProxyTable LoadProxyTable(const fs::path& path, Dataset dataset) { return ParseProxyTable(path, dataset, true); }

ProxyTable LoadPartialProxyTable(const fs::path& path, Dataset dataset) {
  return ParseProxyTable(path, dataset, false);
}

ProxyTable LoadPartialProxyTableOfAnyDataset(const fs::path& path) {
  ProxyTable table = ParseProxyTable(path, Dataset::kCifar100, false, /*check_dataset=*/false);
  if (const auto it = table.provenance.find("dataset"); it != table.provenance.end()) {
    try {
      table.dataset = ParseDataset(it->second);
    } catch (const ParseError& e) {
      throw DataError(fmt::format("{}: {}", path.string(), e.what()));
    }
  }
  return table;
}

void SaveProxyTable(const fs::path& path, const ProxyTable& table) {
  // v1 (three columns) while the table has no zoo column, so a v1 table saves unchanged.
  std::vector<std::pair<std::string_view, const std::vector<double>*>> zoo;
  for (const std::string_view name : kZooProxyNames) {
    if (const auto it = table.zoo.find(std::string(name)); it != table.zoo.end()) zoo.emplace_back(name, &it->second);
  }
  std::string out = zoo.empty() ? "# simnas proxy table v1\n" : "# simnas proxy table v2\n";
  out += fmt::format("# dataset: {}\n", DatasetName(table.dataset));
  for (const auto& [key, value] : table.provenance) {
    if (key != "dataset" && key.find("simnas proxy table") == std::string::npos) {
      out += fmt::format("# {}: {}\n", key, value);
    }
  }
  out += "index,naswot,logsynflow,skip";
  for (const auto& [name, column] : zoo) out += fmt::format(",{}", name);
  out += "\n";
  for (std::size_t i = 0; i < table.skip.size(); ++i) {
    if (std::isnan(table.skip[i]) || std::isnan(table.naswot[i]) || std::isnan(table.logsynflow[i])) continue;
    bool complete = true;
    for (const auto& [name, column] : zoo) complete = complete && !std::isnan((*column)[i]);
    if (!complete) continue;
    out += fmt::format("{},{},{},{}", i, FormatValue(table.naswot[i]), FormatValue(table.logsynflow[i]),
                       FormatValue(table.skip[i]));
    for (const auto& [name, column] : zoo) out += fmt::format(",{}", FormatValue((*column)[i]));
    out += "\n";
  }
  WriteFileAtomically(path, out);
}

namespace {

// Min-max normalization to [0, 1]; -inf (a singular NASWOT kernel) maps to 0.
std::vector<double> MinMax(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : v) {
    if (std::isfinite(x)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  std::vector<double> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    out[i] = std::isfinite(v[i]) && hi > lo ? (v[i] - lo) / (hi - lo) : 0.0;
  }
  return out;
}

std::vector<double> NormalizedRanks(const std::vector<double>& v) {
  std::vector<double> finite(v);
  double lo = std::numeric_limits<double>::infinity();
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x);
  }
  for (double& x : finite) {
    if (!std::isfinite(x)) x = lo - 1;  // -inf ranks last
  }
  std::vector<double> r = Ranks(finite);
  for (double& x : r) x = (x - 1) / static_cast<double>(r.size() - 1);
  return r;
}


// Sum of ln(rank / n), ranks 1..n ascending, ties averaged, -inf last.
std::vector<double> LogRanks(const std::vector<double>& v) {
  std::vector<double> r = NormalizedRanks(v);
  const auto n = static_cast<double>(r.size());
  for (double& x : r) x = std::log((x * (n - 1) + 1) / n);
  return r;
}

const std::pair<ProxyCombination, std::string_view> kCombinationNames[] = {
    {ProxyCombination::kMinMaxSum, "minmax_sum"},
    {ProxyCombination::kRankSum, "rank_sum"},
    {ProxyCombination::kLogRankSum, "log_rank_sum"}};

bool IsProxyName(std::string_view name) {
  return name == "naswot" || name == "logsynflow" || name == "skip" || ZooProxyIndex(name).has_value();
}

}  // namespace

const ProxyAggregate ProxyAggregate::kFreeRea{"freerea", {"naswot", "logsynflow", "skip"}, ProxyCombination::kMinMaxSum};
const ProxyAggregate ProxyAggregate::kRank{"rank", {"naswot", "logsynflow", "skip"}, ProxyCombination::kRankSum};

const std::vector<double>* ProxyTable::Column(std::string_view name) const {
  if (name == "naswot") return &naswot;
  if (name == "logsynflow") return &logsynflow;
  if (name == "skip") return skip.empty() && !naswot.empty() ? nullptr : &skip;  // FBNet tables have none
  const auto it = zoo.find(std::string(name));
  return it == zoo.end() ? nullptr : &it->second;
}

std::string_view CombinationName(ProxyCombination combination) {
  for (const auto& [c, name] : kCombinationNames) {
    if (c == combination) return name;
  }
  return "?";
}

ScoreTable ProxyScoreTable(const ProxyTable& table, const ProxyAggregate& aggregate) {
  const ProxyScores scores(table, aggregate);
  return ScoreTable(aggregate.name, scores.values());
}

ProxyScores::ProxyScores(const ProxyTable& table, ProxyAggregate aggregate) : aggregate_(std::move(aggregate)) {
  if (aggregate_.proxies.empty()) throw DataError(fmt::format("aggregate '{}' names no proxy", aggregate_.name));
  values_.assign(table.naswot.size(), 0.0);
  for (const std::string& proxy : aggregate_.proxies) {
    const std::vector<double>* column = table.Column(proxy);
    if (column == nullptr) {
      throw DataError(fmt::format("aggregate '{}' needs proxy '{}', which the proxy table {} does not have",
                                  aggregate_.name, proxy, table.source.empty() ? "(in memory)" : table.source));
    }
    std::vector<double> part;
    switch (aggregate_.combination) {
      case ProxyCombination::kMinMaxSum: part = MinMax(*column); break;
      case ProxyCombination::kRankSum: part = NormalizedRanks(*column); break;
      case ProxyCombination::kLogRankSum: part = LogRanks(*column); break;
    }
    for (std::size_t i = 0; i < values_.size(); ++i) values_[i] += part[i];
  }
  min_ = *std::min_element(values_.begin(), values_.end());
  max_ = *std::max_element(values_.begin(), values_.end());
  if (max_ <= min_) max_ = min_ + 1;
}

namespace {

nlohmann::ordered_json ReadAggregatesFile(const fs::path& path) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(ReadFile(path));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
  }
  if (!j.is_object()) throw DataError(fmt::format("{}: expected an object of named recipes", path.string()));
  return j;
}

}  // namespace

std::vector<ProxyAggregate> LoadProxyAggregates(const fs::path& configs_dir) {
  const fs::path path = configs_dir / "aggregates.json";
  const nlohmann::ordered_json j = ReadAggregatesFile(path);
  std::vector<ProxyAggregate> out;
  for (const auto& [name, recipe] : j.items()) {
    if (!name.empty() && name.front() == '_') continue;  // "_comment", "_default" and the like
    ProxyAggregate a;
    a.name = name;
    if (!recipe.is_object() || !recipe.contains("proxies") || !recipe["proxies"].is_array() ||
        !recipe.contains("combination") || !recipe["combination"].is_string()) {
      throw DataError(
          fmt::format("{}: recipe '{}' needs \"proxies\" (a list) and \"combination\" (a name)", path.string(), name));
    }
    for (const auto& proxy : recipe["proxies"]) {
      if (!proxy.is_string() || !IsProxyName(proxy.get<std::string>())) {
        throw DataError(fmt::format("{}: recipe '{}': unknown proxy {}", path.string(), name, proxy.dump()));
      }
      a.proxies.push_back(proxy.get<std::string>());
    }
    if (a.proxies.empty()) throw DataError(fmt::format("{}: recipe '{}' names no proxy", path.string(), name));
    const std::string combination = recipe["combination"].get<std::string>();
    bool known = false;
    for (const auto& [c, cname] : kCombinationNames) {
      if (cname == combination) {
        a.combination = c;
        known = true;
      }
    }
    if (!known) {
      throw DataError(fmt::format("{}: recipe '{}': unknown combination '{}' (minmax_sum, rank_sum or log_rank_sum)",
                                  path.string(), name, combination));
    }
    out.push_back(std::move(a));
  }
  return out;
}

ProxyAggregate ParseProxyAggregate(const std::string& name, const fs::path& configs_dir) {
  std::vector<std::string> names;
  for (ProxyAggregate& a : LoadProxyAggregates(configs_dir)) {
    if (a.name == name) return std::move(a);
    names.push_back(a.name);
  }
  throw ParseError(fmt::format("unknown proxy aggregate {}; {} defines {}", Quoted(name),
                               (configs_dir / "aggregates.json").string(), fmt::join(names, ", ")));
}

std::string DefaultProxyAggregateName(const fs::path& configs_dir) {
  const fs::path path = configs_dir / "aggregates.json";
  const nlohmann::ordered_json j = ReadAggregatesFile(path);
  if (!j.contains("_default")) return ProxyAggregate::kFreeRea.name;
  const nlohmann::ordered_json& d = j["_default"];
  if (d.is_string()) {
    for (const ProxyAggregate& a : LoadProxyAggregates(configs_dir)) {
      if (a.name == d.get<std::string>()) return a.name;
    }
  }
  throw DataError(fmt::format("{}: \"_default\" is {}, not the name of one of its recipes", path.string(), d.dump()));
}

ProxyAggregate ParseProxyAggregateOrDefault(const std::string& name, const fs::path& configs_dir) {
  return ParseProxyAggregate(name.empty() ? DefaultProxyAggregateName(configs_dir) : name, configs_dir);
}

ProxyAggregate ParseProxyAggregate(const std::string& name) {
  if (name == "freerea") return ProxyAggregate::kFreeRea;
  if (name == "rank") return ProxyAggregate::kRank;
  throw ParseError(fmt::format("unknown built-in proxy aggregate {}; expected freerea or rank", Quoted(name)));
}

}  // namespace simnas
