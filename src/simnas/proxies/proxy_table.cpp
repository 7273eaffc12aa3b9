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
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "# simnas proxy table v3";
const double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsProxyName(std::string_view name) {
  return name == "naswot" || name == "logsynflow" || name == "skip" || ZooProxyIndex(name).has_value();
}

// An empty field is NaN (not computed).
std::optional<double> ParseValue(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return kNaN;
  if (t == "-inf") return -std::numeric_limits<double>::infinity();
  const std::optional<double> x = ParseDouble(t);
  if (!x || !std::isfinite(*x)) return std::nullopt;
  return x;
}

// The shortest text that reads back bit-identical; "" for NaN.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return fmt::format("{}", v);
}

ProxyTable ParseProxyTable(const fs::path& path, std::size_t rows, std::optional<Dataset> dataset,
                           const CandidateSet* candidates, bool require_complete) {
  std::istringstream file(ReadFile(path));
  ProxyTable table;
  table.dataset = dataset.value_or(Dataset::kCifar10);
  table.source = path.string();
  std::string line;
  int line_no = 0;
  std::vector<std::vector<double>*> columns;  // the header's proxy columns, in its order
  std::vector<std::string> names;
  bool header_seen = false;
  bool has_arch = false;
  while (std::getline(file, line)) {
    ++line_no;
    const std::string_view body = Trim(line);
    if (body.empty()) continue;
    const std::string where = fmt::format("{}:{}", path.string(), line_no);
    if (body.front() == '#') {
      const std::string_view kv = Trim(body.substr(1));
      if (const auto colon = kv.find(':'); colon != std::string_view::npos) {
        table.provenance[std::string(Trim(kv.substr(0, colon)))] = std::string(Trim(kv.substr(colon + 1)));
      }
      continue;
    }
    const std::vector<std::string> f = Split(body, ',');
    if (!header_seen) {
      if (f.empty() || Trim(f[0]) != "index") throw DataError(fmt::format("{}: expected a header 'index,...'", where));
      std::size_t c = 1;
      has_arch = f.size() > 1 && Trim(f[1]) == "arch";
      if (has_arch) {
        table.arch.assign(rows, "");
        ++c;
      }
      table.naswot.assign(rows, kNaN);
      table.logsynflow.assign(rows, kNaN);
      for (; c < f.size(); ++c) {
        const std::string name(Trim(f[c]));
        if (!IsProxyName(name) || std::find(names.begin(), names.end(), name) != names.end()) {
          throw DataError(fmt::format("{}: column '{}' is not a proxy or appears twice", where, name));
        }
        names.push_back(name);
        if (name == "skip") table.skip.assign(rows, kNaN);
        if (ZooProxyIndex(name)) table.zoo[name].assign(rows, kNaN);
      }
      if (std::find(names.begin(), names.end(), "naswot") == names.end() ||
          std::find(names.begin(), names.end(), "logsynflow") == names.end()) {
        throw DataError(fmt::format("{}: the header names no naswot or no logsynflow column", where));
      }
      for (const std::string& name : names) columns.push_back(table.MutableColumn(name));
      header_seen = true;
      continue;
    }
    const std::size_t first = has_arch ? 2 : 1;
    const auto index = f.size() == first + columns.size() ? ParseInt(f[0]) : decltype(ParseInt(f[0]))();
    if (!index || *index < 0 || static_cast<std::size_t>(*index) >= rows) {
      throw DataError(fmt::format("{}: malformed row {} (expected {} fields and an index in [0, {}))", where,
                                  Quoted(body), first + columns.size(), rows));
    }
    const auto i = static_cast<std::size_t>(*index);
    if (table.Has(i)) throw DataError(fmt::format("{}: index {} appears twice", where, i));
    if (has_arch) table.arch[i] = std::string(Trim(f[1]));
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::optional<double> v = ParseValue(f[first + c]);
      // naswot and the zoo may be -inf; FreeREA's columns are always computed.
      const bool required = names[c] == "naswot" || names[c] == "logsynflow" || names[c] == "skip";
      const bool may_be_inf = names[c] == "naswot" || (ZooProxyIndex(names[c]) && names[c] != "params" &&
                                                       names[c] != "flops");
      if (v && std::isnan(*v) && (names[c] == "params" || names[c] == "flops")) {
        throw DataError(fmt::format("{}: the zoo's fields are partly empty ({} is always computed) in row {}", where,
                                    names[c], i));
      }
      if (!v || (required && std::isnan(*v)) || (!may_be_inf && std::isinf(*v))) {
        throw DataError(fmt::format("{}: malformed {} in row {}", where, names[c], Quoted(body)));
      }
      (*columns[c])[i] = *v;
    }
    // The zoo (but params and flops, closed-form) is computed for a row as a whole or not at all.
    std::size_t zoo_fields = 0, zoo_empty = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (!ZooProxyIndex(names[c]) || names[c] == "params" || names[c] == "flops") continue;
      ++zoo_fields;
      zoo_empty += std::isnan((*columns[c])[i]) ? 1 : 0;
    }
    if (zoo_empty != 0 && zoo_empty != zoo_fields) {
      throw DataError(fmt::format("{}: the zoo's fields are partly empty (all or none) in row {}", where, i));
    }
  }
  if (!header_seen) throw DataError(fmt::format("{}: no 'index,...' header", path.string()));
  if (const auto it = table.provenance.find("space"); it != table.provenance.end()) table.space = it->second;
  if (const auto it = table.provenance.find("dataset"); it != table.provenance.end()) {
    if (dataset && it->second != DatasetName(*dataset)) {
      throw DataError(fmt::format("{}: a proxy table of dataset '{}', but '{}' was asked for (see --dataset)",
                                  path.string(), it->second, DatasetName(*dataset)));
    }
    if (!dataset) {
      try {
        table.dataset = ParseDataset(it->second);
      } catch (const ParseError& e) {
        throw DataError(fmt::format("{}: {}", path.string(), e.what()));
      }
    }
  }
  for (std::size_t i = 0; require_complete && i < rows; ++i) {
    if (!table.Has(i)) {
      throw DataError(fmt::format("{}: index {} is missing ({} of {} rows present; the table is incomplete)",
                                  path.string(), i, table.Filled(), rows));
    }
  }
  if (candidates != nullptr) {
    if (table.space.empty()) table.space = std::string(candidates->space().name());
    if (table.space != candidates->space().name()) {
      throw DataError(fmt::format("{}: a proxy table of the {} space, not of {}", path.string(), table.space,
                                  candidates->space().name()));
    }
    for (std::size_t i = 0; has_arch && i < rows; ++i) {
      if (!table.Has(i)) continue;
      const std::string expected = candidates->space().Format(candidates->at(static_cast<int>(i)));
      if (table.arch[i] != expected) {
        throw DataError(fmt::format("{}: index {} is '{}', but candidate {} of {} is '{}'", path.string(), i,
                                    table.arch[i], i, candidates->source(), expected));
      }
    }
  }
  return table;
}

std::size_t DefaultSpaceRows() { return static_cast<std::size_t>(DefaultSpace().SpaceSize().value_or(0)); }

ProxyTable OfDefaultSpace(ProxyTable table) {
  if (table.space.empty()) table.space = std::string(DefaultSpace().name());
  return table;
}

}  // namespace

bool ProxyTable::Has(std::size_t i) const { return i < logsynflow.size() && !std::isnan(logsynflow[i]); }

std::int64_t ProxyTable::Filled() const {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < size(); ++i) n += Has(i) ? 1 : 0;
  return n;
}

std::int64_t ProxyTable::ZooFilled() const {
  if (zoo.empty()) return 0;
  std::int64_t n = 0;
  for (std::size_t i = 0; i < size(); ++i) {
    bool all = Has(i);
    for (const auto& [name, column] : zoo) all = all && !std::isnan(column[i]);
    n += all ? 1 : 0;
  }
  return n;
}

fs::path ProxyTableFile(const fs::path& dir, const Space& space, Dataset dataset) {
  return dir / std::string(space.name()) / (std::string(DatasetName(dataset)) + ".csv");
}

ProxyTable LoadProxyTable(const fs::path& path, const CandidateSet& candidates, Dataset dataset) {
  return ParseProxyTable(path, static_cast<std::size_t>(candidates.size()), dataset, &candidates, true);
}

ProxyTable LoadPartialProxyTable(const fs::path& path, const CandidateSet& candidates, Dataset dataset) {
  return ParseProxyTable(path, static_cast<std::size_t>(candidates.size()), dataset, &candidates, false);
}

ProxyTable LoadPartialProxyTable(const fs::path& path, std::size_t rows, std::optional<Dataset> dataset) {
  return ParseProxyTable(path, rows, dataset, nullptr, false);
}

fs::path ProxyTableFile(const fs::path& dir, Dataset dataset) { return ProxyTableFile(dir, DefaultSpace(), dataset); }

ProxyTable LoadProxyTable(const fs::path& path, Dataset dataset) {
  return OfDefaultSpace(ParseProxyTable(path, DefaultSpaceRows(), dataset, nullptr, true));
}

ProxyTable LoadPartialProxyTable(const fs::path& path, Dataset dataset) {
  return OfDefaultSpace(ParseProxyTable(path, DefaultSpaceRows(), dataset, nullptr, false));
}

ProxyTable LoadPartialProxyTableOfAnyDataset(const fs::path& path) {
  return OfDefaultSpace(ParseProxyTable(path, DefaultSpaceRows(), std::nullopt, nullptr, false));
}

void SaveProxyTable(const fs::path& path, const ProxyTable& table) {
  std::vector<std::pair<std::string, const std::vector<double>*>> columns = {{"naswot", &table.naswot},
                                                                             {"logsynflow", &table.logsynflow}};
  if (!table.skip.empty()) columns.emplace_back("skip", &table.skip);
  for (const std::string_view name : kZooProxyNames) {
    if (const auto it = table.zoo.find(std::string(name)); it != table.zoo.end()) {
      columns.emplace_back(std::string(name), &it->second);
    }
  }
  for (const auto& [name, column] : columns) {
    if (column->size() != table.size()) {
      throw Error(fmt::format("proxy table {}: column {} has {} rows, logsynflow {}", path.string(), name,
                              column->size(), table.size()));
    }
  }
  if (!table.arch.empty() && table.arch.size() != table.size()) {
    throw Error(fmt::format("proxy table {}: {} architectures for {} rows", path.string(), table.arch.size(),
                            table.size()));
  }
  std::string out = std::string(kMagic) + "\n";
  std::map<std::string, std::string> provenance = table.provenance;
  if (!table.space.empty()) provenance["space"] = table.space;
  provenance["dataset"] = std::string(DatasetName(table.dataset));
  for (const auto& [key, value] : provenance) {
    if (key.find("simnas") == std::string::npos) out += fmt::format("# {}: {}\n", key, value);
  }
  const bool has_arch = !table.arch.empty();
  out += has_arch ? "index,arch" : "index";
  for (const auto& [name, column] : columns) {
    out += ',';
    out += name;
  }
  out += "\n";
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (!table.Has(i)) continue;
    out += std::to_string(i);
    if (has_arch) {
      out += ',';
      out += table.arch[i];
    }
    for (const auto& [name, column] : columns) {
      out += ',';
      out += FormatValue((*column)[i]);
    }
    out += "\n";
  }
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
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

}  // namespace

const ProxyAggregate ProxyAggregate::kFreeRea{"freerea", {"naswot", "logsynflow", "skip"}, ProxyCombination::kMinMaxSum};
const ProxyAggregate ProxyAggregate::kRank{"rank", {"naswot", "logsynflow", "skip"}, ProxyCombination::kRankSum};

const std::vector<double>* ProxyTable::Column(std::string_view name) const {
  if (name == "naswot") return &naswot;
  if (name == "logsynflow") return &logsynflow;
  if (name == "skip") return skip.empty() && !naswot.empty() ? nullptr : &skip;  // a space without SkipScore
  const auto it = zoo.find(std::string(name));
  return it == zoo.end() ? nullptr : &it->second;
}

std::vector<double>* ProxyTable::MutableColumn(std::string_view name) {
  return const_cast<std::vector<double>*>(static_cast<const ProxyTable*>(this)->Column(name));
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
    const auto missing = std::count_if(column->begin(), column->end(), [](double x) { return std::isnan(x); });
    if (missing > 0) {
      throw DataError(fmt::format("{}: recipe '{}' reads '{}', which this table holds for {} of its {} rows only",
                                  table.source.empty() ? "proxy table (in memory)" : table.source, aggregate_.name,
                                  proxy, static_cast<std::int64_t>(column->size()) - missing, column->size()));
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

std::string DefaultProxyAggregateName(const fs::path& configs_dir, const Space& space) {
  const fs::path path = configs_dir / "aggregates.json";
  const std::string key = fmt::format("_default_{}", space.name());
  const nlohmann::ordered_json j = ReadAggregatesFile(path);
  if (!j.contains(key)) return DefaultProxyAggregateName(configs_dir);
  const nlohmann::ordered_json& d = j[key];
  if (d.is_string()) {
    for (const ProxyAggregate& a : LoadProxyAggregates(configs_dir)) {
      if (a.name == d.get<std::string>()) return a.name;
    }
  }
  throw DataError(fmt::format("{}: \"{}\" is {}, not the name of one of its recipes", path.string(), key, d.dump()));
}

ScoreTable MakeScoreTable(const CandidateSet& candidates, Dataset dataset, const std::string& source,
                          const ScoreFiles& files) {
  const Space& space = candidates.space();
  if (std::optional<ScoreTable> computed = space.ComputedScores(candidates, source)) return std::move(*computed);
  const std::vector<Dataset> datasets = space.Datasets();
  if (std::find(datasets.begin(), datasets.end(), dataset) == datasets.end()) {
    std::vector<std::string_view> names;
    for (Dataset d : datasets) names.push_back(DatasetName(d));
    throw ParseError(fmt::format("the {} space's networks are scored for {} only, not {}", space.name(),
                                 fmt::join(names, ", "), DatasetName(dataset)));
  }
  if (files.configs_dir.empty() || (files.proxy_tables_dir.empty() && files.table_file.empty())) {
    throw ParseError(fmt::format("score source '{}': not a score the {} space computes itself (such as macs), and a "
                                 "proxy recipe needs the recipes file and the proxy table",
                                 source, space.name()));
  }
  const ProxyAggregate recipe =
      ParseProxyAggregate(source.empty() ? DefaultProxyAggregateName(files.configs_dir, space) : source,
                          files.configs_dir);
  const fs::path path =
      files.table_file.empty() ? ProxyTableFile(files.proxy_tables_dir, space, dataset) : files.table_file;
  return ProxyScoreTable(LoadProxyTable(path, candidates, dataset), recipe);
}

ProxyAggregate ParseProxyAggregate(const std::string& name) {
  if (name == "freerea") return ProxyAggregate::kFreeRea;
  if (name == "rank") return ProxyAggregate::kRank;
  throw ParseError(fmt::format("unknown built-in proxy aggregate {}; expected freerea or rank", Quoted(name)));
}

}  // namespace simnas
