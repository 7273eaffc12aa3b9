// Training-free proxy scores of every cell, per dataset: NASWOT, LogSynflow, SkipScore
// (FreeREA). Computed once by `simnas proxies --all` and committed under tables/proxies/,
// so that training and search never recompute them.
//
// File format (CSV, written atomically):
//   # simnas proxy table v1
//   # key: value           provenance lines (command, seed, version, ...)
//   index,naswot,logsynflow,skip
//   0,737.65,247086.7,0.3333
//   ...                   one row per NATS-Bench index, all 15,625; naswot may be -inf
//                         (singular kernel matrix), every other value is finite.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "simnas/data/dataset.h"

namespace simnas {

struct ProxyTable {
  Dataset dataset = Dataset::kCifar10;
  std::vector<double> naswot;      // by NATS-Bench index
  std::vector<double> logsynflow;  // by NATS-Bench index
  std::vector<double> skip;        // by NATS-Bench index
  std::map<std::string, std::string> provenance;  // from the "# key: value" lines
};

// <dir>/<dataset>.csv: the file of `dataset`'s table in a folder of tables (the Environment's
// proxy_tables_dir holds the shipped ones).
std::filesystem::path ProxyTableFile(const std::filesystem::path& dir, Dataset dataset);

// Loads and validates a complete table. Throws DataError naming the file and first bad row.
ProxyTable LoadProxyTable(const std::filesystem::path& path, Dataset dataset);
// Loads a table that may be incomplete (a table being computed, or one shard): missing rows
// are NaN. Same validation otherwise.
ProxyTable LoadPartialProxyTable(const std::filesystem::path& path, Dataset dataset);
// The same for a table of whatever dataset its "# dataset:" line names (the loaders above
// refuse a table whose header names another dataset than the one asked for).
ProxyTable LoadPartialProxyTableOfAnyDataset(const std::filesystem::path& path);
// Writes a table atomically (rows for indices that are NaN are skipped, so a partial
// table can be saved while it is computed; LoadProxyTable accepts only complete ones).
void SaveProxyTable(const std::filesystem::path& path, const ProxyTable& table);

// How the three proxies are combined into one score per cell.
enum class ProxyAggregate {
  kFreeRea,  // paper: sum of the three, each min-max normalized over the whole space
  kRank,     // sum of the three normalized ranks (ties averaged), in [0, 3]
};

// One score per NATS-Bench index (higher = predicted more accurate). This is what
// strategies and the controller see; accuracy never is.
class ProxyScores {
 public:
  ProxyScores() = default;
  ProxyScores(const ProxyTable& table, ProxyAggregate aggregate);

  double operator()(int index) const { return values_[static_cast<std::size_t>(index)]; }
  const std::vector<double>& values() const { return values_; }
  // Min-max normalized to [0, 1] over the whole space.
  double Normalized(int index) const { return (values_[static_cast<std::size_t>(index)] - min_) / (max_ - min_); }
  ProxyAggregate aggregate() const { return aggregate_; }

 private:
  std::vector<double> values_;
  double min_ = 0;
  double max_ = 1;
  ProxyAggregate aggregate_ = ProxyAggregate::kFreeRea;
};

ProxyAggregate ParseProxyAggregate(const std::string& name);  // "freerea" | "rank"

}  // namespace simnas
