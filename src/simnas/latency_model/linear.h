// A proxy device's linear latency predictor L(x) = wᵀx (One Proxy Device, Sec. 5.4.1) on a
// cell encoding x whose first entry is the fixed part (stem, reductions, head: always 1):
//  - op counts:        [1, #skip, #conv1x1, #conv3x3, #avgpool]          (5 features; the
//                      same model as FitOpLatencyModel in synthetic/op_latency_model.h)
//  - per-edge one-hot: [1, then for each of the 6 edges a 1 for its op]  (25 features)
// `none` is the reference op (no feature): with a feature for every op the columns would sum
// to the fixed part and w would not be identifiable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "simnas/data/latency_table.h"
#include "simnas/latency_model/latency_model.h"
#include "simnas/spaces/nb201/cell.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

enum class CellEncoding { kOpCounts, kEdgeOneHot };

std::string_view EncodingName(CellEncoding encoding);         // "op-counts" | "edge-onehot"
CellEncoding ParseCellEncoding(std::string_view name);       // throws ParseError
int FeatureCount(CellEncoding encoding);                     // 5 | 25
Eigen::VectorXd EncodeCell(const Cell& cell, CellEncoding encoding);
// Row i encodes the cell at NATS-Bench index i (15,625 rows).
Eigen::MatrixXd EncodeAllCells(const SearchSpace& space, CellEncoding encoding);

struct LinearLatencyModel : LatencyModel {
  CellEncoding encoding = CellEncoding::kEdgeOneHot;
  Eigen::VectorXd w;  // FeatureCount(encoding) weights; w(0) is the fixed part in ms

  double Predict(const Cell& cell) const { return EncodeCell(cell, encoding).dot(w); }
  // Predictions for every cell, by NATS-Bench index, from EncodeAllCells(space, encoding).
  std::vector<double> PredictAll(const Eigen::MatrixXd& encoded_cells) const;
  std::vector<double> PredictTable(const SearchSpace& space) const override {
    return PredictAll(EncodeAllCells(space, encoding));
  }
};

// Least squares of a complete table on the encoding over all cells. Op counts reuse
// FitOpLatencyModel. Throws DataError if the table is not complete.
LinearLatencyModel FitLinearLatencyModel(const LatencyTable& table, const SearchSpace& space,
                                         CellEncoding encoding);

}  // namespace simnas
