#include "simnas/latency_model/linear.h"

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/latency_model/op_table.h"

namespace simnas {

std::string_view EncodingName(CellEncoding encoding) {
  return encoding == CellEncoding::kOpCounts ? "op-counts" : "edge-onehot";
}

CellEncoding ParseCellEncoding(std::string_view name) {
  if (name == "op-counts") return CellEncoding::kOpCounts;
  if (name == "edge-onehot") return CellEncoding::kEdgeOneHot;
  throw ParseError(fmt::format("unknown cell encoding {}; expected op-counts or edge-onehot", Quoted(name)));
}

int FeatureCount(CellEncoding encoding) {
  return encoding == CellEncoding::kOpCounts ? kNumOps : 1 + kNumEdges * (kNumOps - 1);
}

namespace {

template <typename Row>
void EncodeInto(const Cell& cell, CellEncoding encoding, Row&& row) {
  row.setZero();
  row(0) = 1.0;
  for (int e = 0; e < kNumEdges; ++e) {
    const int op = static_cast<int>(cell.op(e));
    if (op == 0) continue;  // none: the reference op
    if (encoding == CellEncoding::kOpCounts) {
      row(op) += 1.0;
    } else {
      row(1 + e * (kNumOps - 1) + (op - 1)) = 1.0;
    }
  }
}

}  // namespace

Eigen::VectorXd EncodeCell(const Cell& cell, CellEncoding encoding) {
  Eigen::VectorXd x(FeatureCount(encoding));
  EncodeInto(cell, encoding, x);
  return x;
}

Eigen::MatrixXd EncodeAllCells(const SearchSpace& space, CellEncoding encoding) {
  Eigen::MatrixXd x(kNumCells, FeatureCount(encoding));
  for (int index = 0; index < kNumCells; ++index) EncodeInto(space.CellAt(index), encoding, x.row(index));
  return x;
}

std::vector<double> LinearLatencyModel::PredictAll(const Eigen::MatrixXd& encoded_cells) const {
  const Eigen::VectorXd p = encoded_cells * w;
  return std::vector<double>(p.data(), p.data() + p.size());
}

LinearLatencyModel FitLinearLatencyModel(const LatencyTable& table, const SearchSpace& space,
                                         CellEncoding encoding) {
  if (!table.Complete()) {
    throw DataError(fmt::format("cannot fit a linear latency model to {}: the table is not complete", table.name()));
  }
  LinearLatencyModel model;
  model.encoding = encoding;
  if (encoding == CellEncoding::kOpCounts) {
    const OpModelFit fit = FitOpLatencyModel(table, space);
    model.w.resize(kNumOps);
    model.w(0) = fit.model.fixed_ms;
    for (int op = 1; op < kNumOps; ++op) model.w(op) = fit.model.op_ms[static_cast<std::size_t>(op)];
    return model;
  }
  const Eigen::MatrixXd x = EncodeAllCells(space, encoding);
  const Eigen::Map<const Eigen::VectorXd> y(table.values().data(), static_cast<Eigen::Index>(table.values().size()));
  model.w = x.colPivHouseholderQr().solve(y);
  return model;
}

}  // namespace simnas
