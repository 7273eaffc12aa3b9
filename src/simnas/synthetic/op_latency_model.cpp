#include "simnas/synthetic/op_latency_model.h"

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {

double OpLatencyModel::Latency(const Cell& cell) const {
  double ms = fixed_ms;
  for (Op op : cell.ops()) ms += op_ms[static_cast<std::size_t>(op)];
  return ms;
}

OpModelFit FitOpLatencyModel(const LatencyTable& table, const SearchSpace& space) {
  if (!table.Complete()) {
    throw DataError(fmt::format("cannot fit an op latency model to {}: the table is not complete", table.name()));
  }
  Eigen::MatrixXd x(kNumCells, kNumOps);
  Eigen::VectorXd y(kNumCells);
  for (int index = 0; index < kNumCells; ++index) {
    const auto counts = space.CellAt(index).OpCounts();
    x(index, 0) = 1.0;
    for (int op = 1; op < kNumOps; ++op) x(index, op) = counts[static_cast<std::size_t>(op)];
    y(index) = table.At(index);
  }
  const Eigen::VectorXd w = x.colPivHouseholderQr().solve(y);
  OpModelFit fit;
  fit.device = table.name();
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
