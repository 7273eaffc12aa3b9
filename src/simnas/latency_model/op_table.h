// A lookup-table latency model: latency(cell) = fixed + sum over edges of t(op(edge)).
// `none` costs 0 by convention (the six op counts sum to 6, so a cost for every op plus a
// fixed part would not be identifiable); the fixed part covers stem, reductions and head.
//
// Two feature sets: every edge counts (the paper's LUT), or only the live edges count
// (cell_structure.h: a compiler that drops edges whose output is unused or whose input is
// structurally zero).
#pragma once

#include <array>
#include <string>

#include "simnas/data/latency_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/spaces/nb201/cell.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

enum class OpCountKind {
  kAllEdges,   // paper: every edge's op is counted
  kLiveEdges,  // only live edges (dead-code elimination)
};
std::string_view OpCountKindName(OpCountKind kind);  // "all" | "live"
OpCountKind ParseOpCountKind(std::string_view name);  // throws ParseError

struct OpLatencyModel {
  double fixed_ms = 0;
  std::array<double, kNumOps> op_ms{};  // indexed by Op; op_ms[none] == 0
  OpCountKind counts = OpCountKind::kAllEdges;

  double Latency(const Cell& cell) const;
  std::vector<double> PredictTable(const SearchSpace& space) const;
};

struct OpModelFit {
  std::string device;
  OpLatencyModel model;
  double spearman = 0;  // rank correlation of the model with the table over all cells
  double r2 = 0;        // coefficient of determination
};

// Least squares of the table on [1, #skip, #conv1x1, #conv3x3, #avgpool] over all cells,
// counting every edge or only the live ones. The table must be complete.
OpModelFit FitOpLatencyModel(const LatencyTable& table, const SearchSpace& space,
                             OpCountKind counts = OpCountKind::kAllEdges);

}  // namespace simnas
