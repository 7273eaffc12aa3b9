// Views of one space's data that the commands not yet generic over --space (proxies, synth, train)
// still read: NAS-Bench-201's data as cells, HELP's FBNet tables, the NAS-Bench-201 proxy table of
// a dataset, FBNet's score sources and the old names of the --arch/--index options. Each goes
// when its last caller reads the space layer instead (CliContext::DataOf, Numbering, ResolveArch,
// Workspace::ScoresOf); the house test (tests/house_test.cpp) lists this file among those still
// allowed to name a space.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli_options.h"
#include "simnas/data/dataset.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/space/score_table.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/spaces/nb201/cell.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/workspace/workspace.h"

namespace simnas::cli {

// The former names of ArchArgs and AddArchOptions.
using CellArgs = ArchArgs;
inline void AddCellOptions(CLI::App* cmd, CellArgs& args, const std::string& arch_help = kArchHelp,
                           const std::string& index_help = kIndexHelp) {
  AddArchOptions(cmd, args, arch_help, index_help);
}

// The NAS-Bench-201 cell --arch or --index names (as ResolveArch on the nb201 space).
Cell ResolveCell(const CellArgs& args, const SearchSpace& space, std::string_view command);

// Inherited by CliContext, whose workspace the views read.
class TransitionalViews {
 public:
  virtual ~TransitionalViews() = default;
  // The library's workspace (CliContext's).
  virtual Workspace& Ws() = 0;

  // NAS-Bench-201's data seen as cells (read on first use).
  BenchmarkData& Data() { return Ws().Data(); }
  // HELP's FBNet networks and tables in the data folder (read on first use).
  FbnetTables& Fbnet() { return Ws().Fbnet(); }
  // The NAS-Bench-201 proxy table of `dataset`: `given` when not empty, else the shipped one.
  std::filesystem::path ProxyTable(const std::string& given, Dataset dataset) { return Ws().ProxyTable(given, dataset); }
  // FBNet: the score source --aggregate names (kFbnetDefaultScoreSource when not given) and its
  // scores over HELP's 5,000, --proxy-table replacing the shipped FBNet table.
  static std::string FbnetObjectiveSource(const ProxyArgs& args);
  ScoreTable FbnetObjectiveOf(const ProxyArgs& args) {
    return Ws().ScoresOf(FbnetSpace(), Dataset::kCifar100, FbnetObjectiveSource(args), args.proxy_table);
  }
};

}  // namespace simnas::cli
