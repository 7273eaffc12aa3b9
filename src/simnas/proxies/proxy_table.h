// Training-free proxy scores of every candidate of a space, per dataset: NASWOT, LogSynflow,
// SkipScore (FreeREA, where the space has it) and the zoo's (zoo.h). Computed once by `simnas
// --space NAME proxies --all` and committed under tables/proxies/<space>/<dataset>.csv, so that
// training and search never recompute them.
//
// One file format for every space (CSV, written atomically):
//   # simnas proxy table v3
//   # key: value           provenance lines (space, dataset, command, seed, version, ...)
//   index,arch,naswot,logsynflow,skip,meco,...
//   0,<arch>,737.65,247086.7,0.3333,...
// `index` is the candidate's position in the space's numbered set; the `arch` column (optional)
// names it and is checked against the candidates when they are given; then any proxy columns
// (naswot, logsynflow, skip, the zoo's names) in any order. A row is one candidate; an empty field
// is a value not computed (NaN); -inf is a value undefined for that network (e.g. a singular
// NASWOT kernel). Values are written in the shortest form that reads back bit-identical.
// The older files load too: "# simnas proxy table v1/v2" (index,naswot,logsynflow,skip[,zoo]) and
// "# simnas fbnet proxy table v1/v2" (index,arch,naswot,logsynflow,params,flops[,zoo]).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/dataset.h"
#include "simnas/space/score_table.h"

namespace simnas {

class CandidateSet;
class Space;

struct ProxyTable {
  std::string space;  // the space's name (the file's "# space:" line, else the loader's)
  Dataset dataset = Dataset::kCifar10;
  // By candidate index. A missing row (partial table) is NaN in every column and "" in `arch`.
  std::vector<std::string> arch;   // empty when the file has no arch column
  std::vector<double> naswot;
  std::vector<double> logsynflow;
  std::vector<double> skip;        // empty when the space has no SkipScore
  // The zoo's columns (zoo.h), by name; NaN = not computed.
  std::map<std::string, std::vector<double>> zoo;
  std::map<std::string, std::string> provenance;  // from the "# key: value" lines
  std::string source;                             // the file it was loaded from, for messages

  std::size_t size() const { return logsynflow.size(); }
  // Whether row i is present (its logsynflow computed).
  bool Has(std::size_t i) const;
  // Rows present; rows whose zoo (every zoo column) is computed.
  std::int64_t Filled() const;
  std::int64_t ZooFilled() const;
  // The column of a proxy (naswot, logsynflow, skip or a zoo name), or nullptr.
  const std::vector<double>* Column(std::string_view name) const;
  std::vector<double>* MutableColumn(std::string_view name);
};

// <dir>/<space>/<dataset>.csv: the file of a space's table of `dataset` in a folder of tables
// (the Environment's proxy_tables_dir holds the shipped ones).
std::filesystem::path ProxyTableFile(const std::filesystem::path& dir, const Space& space, Dataset dataset);

// Loads and validates a complete table of `candidates` (one row per candidate; an arch column
// must name them). Throws DataError naming the file and the first bad row, or the dataset when the
// file names another one.
ProxyTable LoadProxyTable(const std::filesystem::path& path, const CandidateSet& candidates, Dataset dataset);
// The same for a table that may be incomplete (being computed, a sample, a shard): missing rows NaN.
ProxyTable LoadPartialProxyTable(const std::filesystem::path& path, const CandidateSet& candidates, Dataset dataset);
// A possibly incomplete table of `rows` rows, whatever architectures it names; `dataset` nullopt:
// the one its "# dataset:" line names.
ProxyTable LoadPartialProxyTable(const std::filesystem::path& path, std::size_t rows, std::optional<Dataset> dataset);
// Writes a table atomically (format v3; rows not present are skipped, so a partial table can be
// saved while it is computed).
void SaveProxyTable(const std::filesystem::path& path, const ProxyTable& table);

// The default space's tables (registry.h: DefaultSpace()), for callers that name no space.
std::filesystem::path ProxyTableFile(const std::filesystem::path& dir, Dataset dataset);
ProxyTable LoadProxyTable(const std::filesystem::path& path, Dataset dataset);
ProxyTable LoadPartialProxyTable(const std::filesystem::path& path, Dataset dataset);
ProxyTable LoadPartialProxyTableOfAnyDataset(const std::filesystem::path& path);

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

// One score per candidate (higher = predicted more accurate). This is what strategies and the
// controller see; accuracy never is.
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
  // column the recipe needs or holds it for some rows only.
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
// The default recipe of `space`: the "_default_<space>" key of <configs_dir>/aggregates.json when
// the file has one, else DefaultProxyAggregateName(configs_dir). Same errors.
std::string DefaultProxyAggregateName(const std::filesystem::path& configs_dir, const Space& space);

// Where a score source finds its inputs (the Environment's folders).
struct ScoreFiles {
  std::filesystem::path proxy_tables_dir;  // holds <space>/<dataset>.csv
  std::filesystem::path table_file;        // overrides proxy_tables_dir's table when set
  std::filesystem::path configs_dir;       // aggregates.json, the named recipes
};
// The scores `source` gives `candidates` for `dataset`, in their order: a score the space computes
// itself (Space::ComputedScores, e.g. "macs"), else the recipe `source` (empty: the space's default
// recipe) over the space's proxy table of `dataset`, named after the recipe. Throws ParseError for
// an unknown source or a dataset the space does not score, DataError for a missing or malformed
// table, one whose rows are not the candidates, or one lacking a column the recipe reads.
ScoreTable MakeScoreTable(const CandidateSet& candidates, Dataset dataset, const std::string& source,
                          const ScoreFiles& files);
// The built-in recipes only ("freerea", "rank"), for callers without an Environment.
ProxyAggregate ParseProxyAggregate(const std::string& name);
std::string_view CombinationName(ProxyCombination combination);

}  // namespace simnas
