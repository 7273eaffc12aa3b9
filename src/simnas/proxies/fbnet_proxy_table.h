// The FBNet proxy table: NASWOT, LogSynflow, params and FLOPs (fbnet_proxies.h) of HELP's
// 5,000 FBNet networks for CIFAR-100, computed once by `simnas --space fbnet proxies --all` and
// committed as tables/proxies/fbnet/cifar100.csv, so that ranking FBNet candidates never
// recomputes them.
//
// File format (CSV, written atomically):
//   # simnas fbnet proxy table v1
//   # key: value           provenance lines (command, seed, method version, images, ...)
//   index,arch,naswot,logsynflow,params,flops
//   0,k3_e1-skip-...,812.4,3.1e5,1234567,45678901
//   ...                   one row per HELP index (arch.pt row), 5,000; naswot may be -inf
// Format v2 ("# simnas fbnet proxy table v2") adds the zoo's columns (fbnet_proxies.h; all of
// kZooProxyNames but params and flops, which are the columns above) after flops; a row's zoo
// fields may be empty (not computed: the zoo is expensive on FBNet, ~2 s per network, so a
// table may hold it for its first rows only); a computed one may be -inf.
//
// Reading it to rank candidates:
//   const FbnetProxyTable t = LoadFbnetProxyTable(FbnetProxyTableFile(env.proxy_tables_dir),
//                                                 fbnet_tables.Archs());
//   t.naswot[i], t.logsynflow[i]                    // per HELP index
//   FbnetAggregateScores(t, ParseProxyAggregate("fbnet-freerea", env.configs_dir))  // one score per index
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "simnas/proxies/fbnet_proxies.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

struct FbnetProxyTable {
  // By HELP index (row of arch.pt). In a partial table, a missing row has an empty arch and NaN values.
  std::vector<std::string> arch;
  std::vector<double> naswot;
  std::vector<double> logsynflow;
  std::vector<double> params;
  std::vector<double> flops;
  // The zoo's columns by name (all of kZooProxyNames but params and flops) in a v2 table, empty
  // in a v1 table; NaN where not computed.
  std::map<std::string, std::vector<double>> zoo;
  std::map<std::string, std::string> provenance;  // from the "# key: value" lines
  std::string source;                             // the file it was loaded from, for messages

  std::size_t size() const { return naswot.size(); }
  // Rows present (non-NaN logsynflow).
  std::int64_t Filled() const;
  // Rows whose zoo is computed (0 in a v1 table).
  std::int64_t ZooFilled() const;
  // As a ProxyTable (columns naswot, logsynflow, and params/flops and the zoo's columns as zoo
  // columns; no skip),
  // for ProxyScores and the other ProxyTable consumers.
  ProxyTable AsProxyTable() const;
};

// <tables_dir>/fbnet/cifar100.csv.
std::filesystem::path FbnetProxyTableFile(const std::filesystem::path& tables_dir);

// Loads a complete table and validates it against HELP's architectures (`help_archs`, arch.pt's
// rows, FbnetTables::Archs()): exactly that many rows, row i's arch string equal to
// help_archs[i]'s. Throws DataError naming the file and the first bad row.
FbnetProxyTable LoadFbnetProxyTable(const std::filesystem::path& path, const std::vector<FbnetArch>& help_archs);
// A table that may be incomplete (being computed): `rows` rows, missing ones NaN.
FbnetProxyTable LoadPartialFbnetProxyTable(const std::filesystem::path& path, std::size_t rows);
// Writes atomically (v2 when the table has zoo columns); rows with NaN logsynflow are skipped.
void SaveFbnetProxyTable(const std::filesystem::path& path, const FbnetProxyTable& table);

// One score per HELP index of a named aggregate (proxy_table.h's ProxyAggregate; e.g.
// "fbnet-freerea" of configs/aggregates.json). Throws DataError when the recipe needs a column
// the FBNet table does not have (skip).
std::vector<double> FbnetAggregateScores(const FbnetProxyTable& table, const ProxyAggregate& aggregate);

// How each score of the table ranks networks like their size: Spearman's rho of the column with
// the multiply-adds, the parameter count and `reference` (one score per row, e.g. the
// fbnet-freerea aggregate), over the rows whose zoo is computed (every filled row in a v1
// table). Columns: naswot, logsynflow, then the zoo's columns that vary (not az_complexity, which
// is flops). Throws DataError when fewer than 3 rows qualify.
struct FbnetScoreCorrelation {
  std::string column;
  std::int64_t rows = 0;
  double rho_flops = 0;
  double rho_params = 0;
  double rho_reference = 0;
};
std::vector<FbnetScoreCorrelation> FbnetScoreCorrelations(const FbnetProxyTable& table,
                                                          const std::vector<double>& reference);

// Building the table: every architecture of `archs` (HELP's 5,000) not yet in `out`, in index
// order, one evaluator; resumes from `out` (which must have been computed with the same seed and
// method version), rewrites it atomically every `save_every` seconds and when interrupted.
struct FbnetProxyTableJob {
  std::filesystem::path out;
  FbnetProxyOptions options;
  double save_every = 30;
  std::string command;  // recorded in the provenance
  std::string images;   // recorded in the provenance (where the images came from)
  // The zoo (all of it) for rows [0, zoo_rows) too; 0: none (a v1 table, unless `out` already
  // has zoo columns, which are kept). Rows of `out` with FreeREA's values but no zoo get the zoo
  // only (FbnetProxyEvaluator::Zoo: the same values as a whole evaluation).
  std::int64_t zoo_rows = 0;
};
struct FbnetProxyTableBuild {
  std::int64_t rows = 0;
  std::int64_t resumed = 0;
  std::int64_t computed = 0;      // rows computed whole
  std::int64_t zoo_computed = 0;  // rows whose zoo only was computed
  double seconds = 0;
};
// Progress goes to stderr ("fbnet proxies: 120/5000 (1.4 networks/min) ..."). Throws
// Interrupted after Ctrl-C (rows saved), DataError when `out` disagrees on seed or version,
// Error before computing anything when `out` is a shipped file (core/shipped_files.h).
FbnetProxyTableBuild BuildFbnetProxyTable(const FbnetProxyTableJob& job, const std::filesystem::path& cifar_sample,
                                          const std::vector<FbnetArch>& archs);

}  // namespace simnas
