#include "simnas/latency_model/op_table.h"

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/spaces/nb201/cell_structure.h"

namespace simnas {

std::string_view OpCountKindName(OpCountKind kind) { return kind == OpCountKind::kAllEdges ? "all" : "live"; }

OpCountKind ParseOpCountKind(std::string_view name) {
  if (name == "all") return OpCountKind::kAllEdges;
  if (name == "live") return OpCountKind::kLiveEdges;
  throw ParseError(fmt::format("unknown op count kind {}; expected all or live", Quoted(name)));
}

double OpLatencyModel::Latency(const Cell& cell) const {
  double ms = fixed_ms;
  if (counts == OpCountKind::kAllEdges) {
    for (Op op : cell.ops()) ms += op_ms[static_cast<std::size_t>(op)];
  } else {
    const std::uint8_t mask = LiveEdgeMasks()[static_cast<std::size_t>(cell.Code())];
    for (int e = 0; e < kNumEdges; ++e) {
      if ((mask >> e) & 1u) ms += op_ms[static_cast<std::size_t>(cell.op(e))];
    }
  }
  return ms;
}

std::vector<double> OpLatencyModel::PredictTable(const SearchSpace& space) const {
  std::vector<double> out(static_cast<std::size_t>(kNumCells));
  for (int i = 0; i < kNumCells; ++i) out[static_cast<std::size_t>(i)] = Latency(space.CellAt(i));
  return out;
}

OpModelFit FitOpLatencyModel(const LatencyTable& table, const SearchSpace& space, OpCountKind counts) {
  if (!table.Complete()) {
    throw DataError(fmt::format("cannot fit an op latency model to {}: the table is not complete", table.name()));
  }
  Eigen::MatrixXd x(kNumCells, kNumOps);
  Eigen::VectorXd y(kNumCells);
  for (int index = 0; index < kNumCells; ++index) {
    const Cell cell = space.CellAt(index);
    const auto n = counts == OpCountKind::kAllEdges ? cell.OpCounts() : LiveOpCounts(cell);
    x(index, 0) = 1.0;
    for (int op = 1; op < kNumOps; ++op) x(index, op) = n[static_cast<std::size_t>(op)];
    y(index) = table.At(index);
  }
  const Eigen::VectorXd w = x.colPivHouseholderQr().solve(y);
  OpModelFit fit;
  fit.device = table.name();
  fit.model.counts = counts;
  fit.model.fixed_ms = w(0);
  fit.model.op_ms[0] = 0.0;
  for (int op = 1; op < kNumOps; ++op) fit.model.op_ms[static_cast<std::size_t>(op)] = w(op);
  const Eigen::VectorXd pred = x * w;
  const std::vector<double> p(pred.data(), pred.data() + pred.size());
  fit.spearman = Spearman(p, table.values());
  const double mean = y.mean();
  fit.r2 = 1.0 - (y - pred).squaredNorm() / (y.array() - mean).square().sum();
  return fit;
}

}  // namespace simnas
