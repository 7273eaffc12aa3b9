// Building proxy tables: every cell of the space (or of one shard of it) scored into a table
// file, resumable, spread over the ranks of a job (`mpirun -np N simnas proxies --all`), and
// merging shard files into one table.
//
// While a table is built, rank 0 appends every result to <out>.log the moment it arrives (from
// any rank) and rewrites the partial table <out> atomically every `save_every` seconds; a rerun
// of the same job resumes from both, so a killed rank (or job) loses at most the cells being
// computed. Cells are handed out from the most to the least expensive (a cost model counting
// convolutions), one per request, so ranks stay balanced although cells differ ~100x in cost. The values of a cell do not depend on which rank computed it: the table is the same,
// row for row, whatever the number of ranks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/dataset.h"
#include "simnas/parallel/cluster.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/candidates.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

// Shard k of n (1-based): the indices i with i % n == k - 1.
struct ProxyShard {
  int k = 1;
  int n = 1;
  bool Contains(int index) const { return index % n == k - 1; }
  bool whole() const { return n == 1; }
};
// Parses "k/n". Throws ParseError naming the text.
ProxyShard ParseProxyShard(const std::string& text);

struct ProxyTableJob {
  Dataset dataset = Dataset::kCifar10;
  ProxyOptions options;
  ProxyShard shard;
  // The table to write; default ProxyTableFile(tables_dir, dataset), with .shard-k-of-n for a shard.
  std::optional<std::filesystem::path> out;
  std::filesystem::path tables_dir;  // the folder of the shipped tables (the Environment's proxy_tables_dir)
  // Take NASWOT from this table of another dataset with the same input size and options.
  std::optional<std::filesystem::path> reuse_naswot;
  // Take NASWOT, LogSynflow and SkipScore from this table of the same dataset and options (a v1
  // table): only the zoo is computed (options.zoo must be set), and those columns do not move.
  std::optional<std::filesystem::path> reuse_freerea;
  // Take the zoo's classifier-free columns (ClassifierFreeZooProxies(): meco and AZ-NAS's
  // expressivity, progressivity, trainability) from this v2 table of another dataset with the same
  // input size and options; only the other zoo columns are computed (options.zoo must be set).
  // Cells the source lacks are computed whole.
  std::optional<std::filesystem::path> reuse_features;
  double save_every = 30;  // seconds between rewrites of the partial table
  // Indices to score (a sample, in order; the shard is then of their positions); empty: every cell.
  std::vector<int> rows;
  std::string sample_note;  // appended to the recorded command (e.g. " --sample 300")
};

// What a build did (on rank 0; other ranks know only their own share).
struct ProxyTableBuild {
  std::filesystem::path out;
  std::int64_t cells = 0;     // cells of the shard
  std::int64_t resumed = 0;   // already in <out> or <out>.log before this run
  std::int64_t computed = 0;  // computed by this run
  int ranks = 1;
  // Per rank: cells computed and seconds spent computing them (rank 0 only).
  std::vector<std::int64_t> rank_cells;
  std::vector<double> rank_seconds;
};

// Computes every cell of the job's shard not yet saved, over the ranks of `cluster`, and writes
// the table atomically (rank 0). Collective. Throws DataError when <out> or <out>.log was
// computed with other options (naming the option), Interrupted after Ctrl-C (results saved),
// Error before computing anything when the output is a shipped file (core/shipped_files.h).
// `numbering`: NAS-Bench-201's (the space whose FastProxyEntry these tables are).
ProxyTableBuild BuildProxyTable(const ProxyTableJob& job, const std::filesystem::path& cifar_sample,
                                const CandidateSet& numbering, Cluster& cluster);

// Joins shard tables (each file names its dataset) into one complete table; throws DataError
// when files disagree on options or values, or leave cells missing.
ProxyTable MergeProxyTables(const std::vector<std::filesystem::path>& files);

// --- Tables of a space scored over its proxy network (described_proxies.h) ----------------
// One process, one evaluator: the rows of the job not yet in `out`, in the job's order; resumes
// from `out` (which must have been computed with the same dataset, seed, method version and
// images), rewrites it atomically every `save_every` seconds, when interrupted and at the end.
struct DescribedProxyTableJob {
  std::filesystem::path out;
  DescribedProxyOptions options;
  // Indices into the numbering to score, in order (a sample); empty: every numbered architecture.
  std::vector<int> rows;
  ProxyShard shard;  // of the positions in `rows` (or of the indices, when `rows` is empty)
  double save_every = 30;
  std::string command;  // recorded in the provenance
  std::string images;   // recorded in the provenance (where the images came from)
  // The zoo (all of it) for the first `zoo_rows` rows of the job too; 0: none (unless `out`
  // already has zoo columns, which are kept). Rows of `out` with FreeREA's values but no zoo get
  // the zoo only (DescribedProxyEvaluator::Zoo: the same values as a whole evaluation).
  std::int64_t zoo_rows = 0;
};
struct DescribedProxyTableBuild {
  std::int64_t rows = 0;          // rows of the job (its shard)
  std::int64_t resumed = 0;       // rows already in `out`
  std::int64_t computed = 0;      // rows computed whole
  std::int64_t zoo_computed = 0;  // rows whose zoo only was computed
  double seconds = 0;
};
// Scores the job's rows of `numbering` (the space's numbered set: table rows are its indices).
// Progress goes to stderr ("<space> proxies: 120/5000 rows ..."). Throws Interrupted after
// Ctrl-C (rows saved), DataError when `out` disagrees on an identity key (naming it), Error
// before computing anything when `out` is a shipped file (core/shipped_files.h), ParseError for
// a row index outside the numbering.
DescribedProxyTableBuild BuildDescribedProxyTable(const DescribedProxyTableJob& job,
                                                  const std::filesystem::path& cifar_sample,
                                                  const CandidateSet& numbering);

// Joins the tables of one job's shards (each a possibly partial table of `numbering` for
// `dataset`) into one table holding every row any of them holds. Throws DataError, naming the
// files, when they disagree on an identity key (dataset, seed, method version, images) or on a
// row both hold.
ProxyTable MergeDescribedProxyTables(const std::vector<std::filesystem::path>& files, const CandidateSet& numbering,
                                     Dataset dataset);

}  // namespace simnas
