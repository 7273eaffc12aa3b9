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
// Format v2 ("# simnas proxy table v2") adds the zoo's columns (zoo.h) after skip, in
// kZooProxyNames order: index,naswot,logsynflow,skip,meco,...,flops; any of them may be -inf.
// v1 files load as before (no zoo column); a table without zoo columns is saved as v1.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/dataset.h"
#include "simnas/space/score_table.h"

namespace simnas {

struct ProxyTable {
  Dataset dataset = Dataset::kCifar10;
  std::vector<double> naswot;      // by NATS-Bench index
  std::vector<double> logsynflow;  // by NATS-Bench index
  std::vector<double> skip;        // by NATS-Bench index
  // Format v2: the zoo's columns (zoo.h), by name; absent in a v1 table. Same length, NaN = missing.
  std::map<std::string, std::vector<double>> zoo;
  std::map<std::string, std::string> provenance;  // from the "# key: value" lines
  std::string source;                             // the file it was loaded from, for messages

  // The column of a proxy (naswot, logsynflow, skip or a zoo name), or nullptr.
  const std::vector<double>* Column(std::string_view name) const;
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

// How a recipe combines its proxies' columns into one score per cell.
enum class ProxyCombination {
  kMinMaxSum,   // "minmax_sum": sum of the columns, each min-max normalized over the space (FreeREA)
  kRankSum,     // "rank_sum": sum of the normalized ranks (rank - 1) / (n - 1), ties averaged
  kLogRankSum,  // "log_rank_sum": sum of ln(rank / n), ties averaged (AZ-NAS)
};
// In every combination -inf counts as the lowest value (min-max: 0; ranks: below every finite one).

// A named aggregate: proxies (table columns) and their combination. The shipped recipes are in
// configs/aggregates.json (the Environment's configs_dir); kFreeRea and kRank are the two
// built-in ones (what that file's "freerea" and "rank" define, and what tests use).
struct ProxyAggregate {
  std::string name;
  std::vector<std::string> proxies;
  ProxyCombination combination = ProxyCombination::kMinMaxSum;

  static const ProxyAggregate kFreeRea;  // paper: naswot, logsynflow, skip, min-max sum
  static const ProxyAggregate kRank;     // the same three, rank sum
  bool operator==(const ProxyAggregate& other) const = default;
};

// One score per NATS-Bench index (higher = predicted more accurate). This is what
// strategies and the controller see; accuracy never is.
class ProxyScores;
// The scores of `aggregate` over `table` as the search's score table (named after the recipe).
ScoreTable ProxyScoreTable(const ProxyTable& table, const ProxyAggregate& aggregate);

class ProxyScores {
 public:
  ProxyScores() = default;
  ProxyScores(const ProxyTable& table, ProxyAggregate aggregate);

  double operator()(int index) const { return values_[static_cast<std::size_t>(index)]; }
  const std::vector<double>& values() const { return values_; }
  // Throws DataError, in one line naming the recipe and the proxy, when the table lacks a
  // column the recipe needs.
  // Min-max normalized to [0, 1] over the whole space.
  double Normalized(int index) const { return (values_[static_cast<std::size_t>(index)] - min_) / (max_ - min_); }
  const ProxyAggregate& aggregate() const { return aggregate_; }

 private:
  std::vector<double> values_;
  double min_ = 0;
  double max_ = 1;
  ProxyAggregate aggregate_;
};

// The recipe `name` of <configs_dir>/aggregates.json. Throws ParseError naming the recipe and
// the file when it is not there, DataError when the file is malformed (naming file and recipe).
ProxyAggregate ParseProxyAggregate(const std::string& name, const std::filesystem::path& configs_dir);
// Every recipe of <configs_dir>/aggregates.json, in the file's order.
std::vector<ProxyAggregate> LoadProxyAggregates(const std::filesystem::path& configs_dir);
// The name of the recipe every --aggregate defaults to: the "_default" key of
// <configs_dir>/aggregates.json, "freerea" when the file has none. Throws DataError, naming the
// file, when "_default" is not a string naming one of the file's recipes.
std::string DefaultProxyAggregateName(const std::filesystem::path& configs_dir);
// The recipe `name` of <configs_dir>/aggregates.json, or its default recipe when `name` is empty.
ProxyAggregate ParseProxyAggregateOrDefault(const std::string& name, const std::filesystem::path& configs_dir);
// The built-in recipes only ("freerea", "rank"), for callers without an Environment.
ProxyAggregate ParseProxyAggregate(const std::string& name);
std::string_view CombinationName(ProxyCombination combination);

}  // namespace simnas
