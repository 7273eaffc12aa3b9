#include "simnas/proxies/proxy_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/search_space/cell.h"

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
      if (f.size() != 4 || Trim(f[0]) != "index" || Trim(f[1]) != "naswot" || Trim(f[2]) != "logsynflow" ||
          Trim(f[3]) != "skip") {
        throw DataError(fmt::format("{}:{}: expected the header 'index,naswot,logsynflow,skip'", path.string(),
                                    line_no));
      }
      header_seen = true;
      continue;
    }
    const auto index = f.size() == 4 ? ParseInt(f[0]) : std::nullopt;
    const auto naswot = f.size() == 4 ? ParseValue(f[1]) : std::nullopt;
    const auto synflow = f.size() == 4 ? ParseDouble(f[2]) : std::nullopt;
    const auto skip = f.size() == 4 ? ParseDouble(f[3]) : std::nullopt;
    if (!index || *index < 0 || *index >= kNumCells || !naswot || !synflow || !skip) {
      throw DataError(fmt::format("{}:{}: malformed row {}", path.string(), line_no, Quoted(body)));
    }
    const auto i = static_cast<std::size_t>(*index);
    if (!std::isnan(table.skip[i])) {
      throw DataError(fmt::format("{}:{}: index {} appears twice", path.string(), line_no, *index));
    }
    table.naswot[i] = *naswot;
    table.logsynflow[i] = *synflow;
    table.skip[i] = *skip;
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
  std::string out = "# simnas proxy table v1\n";
  out += fmt::format("# dataset: {}\n", DatasetName(table.dataset));
  for (const auto& [key, value] : table.provenance) {
    if (key != "dataset" && key.find("simnas proxy table") == std::string::npos) {
      out += fmt::format("# {}: {}\n", key, value);
    }
  }
  out += "index,naswot,logsynflow,skip\n";
  for (std::size_t i = 0; i < table.skip.size(); ++i) {
    if (std::isnan(table.skip[i]) || std::isnan(table.naswot[i]) || std::isnan(table.logsynflow[i])) continue;
    out += fmt::format("{},{},{},{}\n", i, FormatValue(table.naswot[i]), FormatValue(table.logsynflow[i]),
                       FormatValue(table.skip[i]));
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

}  // namespace

ProxyScores::ProxyScores(const ProxyTable& table, ProxyAggregate aggregate) : aggregate_(aggregate) {
  const auto parts = aggregate == ProxyAggregate::kFreeRea
                         ? std::array{MinMax(table.naswot), MinMax(table.logsynflow), MinMax(table.skip)}
                         : std::array{NormalizedRanks(table.naswot), NormalizedRanks(table.logsynflow),
                                      NormalizedRanks(table.skip)};
  values_.assign(table.skip.size(), 0.0);
  for (const auto& part : parts) {
    for (std::size_t i = 0; i < values_.size(); ++i) values_[i] += part[i];
  }
  min_ = *std::min_element(values_.begin(), values_.end());
  max_ = *std::max_element(values_.begin(), values_.end());
  if (max_ <= min_) max_ = min_ + 1;
}

ProxyAggregate ParseProxyAggregate(const std::string& name) {
  if (name == "freerea") return ProxyAggregate::kFreeRea;
  if (name == "rank") return ProxyAggregate::kRank;
  throw ParseError(fmt::format("unknown proxy aggregate {}; expected freerea or rank", Quoted(name)));
}

}  // namespace simnas
