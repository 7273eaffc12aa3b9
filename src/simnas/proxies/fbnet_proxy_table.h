// Building the FBNet proxy table (proxy_table.h's format): NASWOT, LogSynflow, params and FLOPs
// (fbnet_proxies.h) of HELP's 5,000 FBNet networks for CIFAR-100, computed once by `simnas --space
// fbnet proxies --all` into tables/proxies/fbnet/cifar100.csv.

#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "simnas/proxies/fbnet_proxies.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/candidates.h"

namespace simnas {

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
                                          const CandidateSet& candidates);

}  // namespace simnas
