// A cheap model of an unseen target device's latency, refitted from the probes so far: a
// non-negative combination of the train devices' tables,
//
//   L(x) = Σ_k β_k T_k(x),  β ≥ 0,  least squares on the probed cells (NNLS),
//
// and, with fewer than `min_mixture_probes` probes, the train tables' consensus (each table
// divided by its median, averaged) scaled to the probes (geometric mean of measured/consensus).
// Its uncertainty is the leave-one-out error on the probes, in log space (relative error).
#pragma once

#include <vector>

#include <Eigen/Core>

#include "simnas/data/latency_table.h"

namespace simnas {

struct TargetModelOptions {
  int min_mixture_probes = 2;  // below this many probes: the scaled consensus
  double ridge = 1e-6;         // relative ridge on β (keeps NNLS well posed with few probes)
};

class TargetLatencyModel {
 public:
  // `tables` must be complete and of one size (at least one).
  explicit TargetLatencyModel(const std::vector<const LatencyTable*>& tables, TargetModelOptions options = {});

  // Refits on the probed candidates (indices into the tables) and their measured latencies.
  void Fit(const std::vector<int>& indices, const std::vector<double>& ms);
  // Predicted latency of every candidate (after Fit; the unscaled consensus before).
  const std::vector<double>& predictions() const { return predictions_; }
  double Predict(int index) const { return predictions_[static_cast<std::size_t>(index)]; }
  // Root mean square of log(measured / predicted-without-that-probe) over the probes; NaN
  // with fewer than 3 probes.
  double LeaveOneOutLogRmse() const { return loo_log_rmse_; }
  int probes() const { return probes_; }

 private:
  // Predictions at `rows` of a model fitted on probes `fit` (positions in the probe lists).
  Eigen::VectorXd FitPredict(const std::vector<int>& indices, const std::vector<double>& ms,
                             const std::vector<std::size_t>& fit, const std::vector<int>& rows,
                             Eigen::VectorXd* beta, double* scale) const;

  TargetModelOptions options_;
  Eigen::MatrixXd tables_;    // candidates × K latencies
  Eigen::VectorXd consensus_; // mean of the median-normalized tables
  std::vector<double> predictions_;
  double loo_log_rmse_;
  int probes_ = 0;
};

// Non-negative least squares min ‖A b − y‖² + ridge ‖b‖², b ≥ 0 (cyclic coordinate descent).
Eigen::VectorXd NonNegativeLeastSquares(const Eigen::MatrixXd& a, const Eigen::VectorXd& y, double ridge);

}  // namespace simnas
