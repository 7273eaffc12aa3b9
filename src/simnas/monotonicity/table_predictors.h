// Latency predictors over a candidate set and the probe-choice rule that the table-following
// strategies (`one-proxy` on sampled candidates, `matched-proxy`, strategies/) and the
// controller's candidate-picking decision process share. All work on candidate indices (one
// value per candidate, in the candidate set's order), for any space.
//  - LinearProxyModel: a table (the proxy device's) as a linear model w on the space's default
//    encoding (Space::EncodingNames()[0]), adapted to the target's measurements by AdaProxy
//    (Eq. 3): L'(x) = [(alpha + b) o w]^T x.
//  - MatchTable: among tables, the one that best matches measured latencies up to scale
//    (least squares of log measured - log table - c, c their mean), and exp(c).
//  - PickCandidate: the unprobed candidate with the best score among those predicted to fit an
//    aim; none: the fastest predicted unprobed one.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "simnas/data/latency_table.h"
#include "simnas/space/candidates.h"

namespace simnas {

class LinearProxyModel {
 public:
  LinearProxyModel() = default;
  // Least squares of `proxy`'s latencies of `candidates` (aligned) on their default encoding.
  LinearProxyModel(const CandidateSet& candidates, const LatencyTable& proxy);

  // The proxy's own predictions (x w), in its units.
  const std::vector<double>& base() const { return base_; }
  // AdaProxy refitted on the measured candidates `rows` (latencies `ms`): the adapted
  // prediction of every candidate into `predicted` (resized).
  void Adapt(const std::vector<int>& rows, const std::vector<double>& ms, std::vector<double>& predicted) const;
  // Whether this model was built from these candidates and this table (same values).
  bool IsOf(const CandidateSet& candidates, const LatencyTable& proxy) const;
  int size() const { return static_cast<int>(base_.size()); }

 private:
  const CandidateSet* candidates_ = nullptr;
  std::vector<double> proxy_values_;  // to tell a reused address from the same table
  Eigen::MatrixXd x_;                 // encoded rows of the candidates
  Eigen::VectorXd w_;                 // the proxy's linear model
  Eigen::MatrixXd z_;                 // x_ij w_j
  std::vector<double> base_;          // x w
};

struct TableMatch {
  const LatencyTable* table = nullptr;
  double shift = 0;  // c: the table's latencies times exp(c) predict the target's
  double error = 0;  // sum of squared log residuals after the shift
};

// The table of `tables` that best matches `ms` measured for candidates `rows` up to scale
// (ties: the earlier table). With one measurement every table fits exactly, so `current` is
// kept (with its shift). `rows` must not be empty.
TableMatch MatchTable(const std::vector<const LatencyTable*>& tables, const LatencyTable* current,
                                const std::vector<int>& rows, const std::vector<double>& ms);

// The unprobed candidate (probed[i] == 0) with the best `score` among those with
// predicted[i] * scale <= aim (ties: the lower predicted); none: the unprobed one with the
// lowest predicted; every candidate probed: -1. `fallback`, when given, is set to whether
// nothing was predicted to fit.
int PickCandidate(const std::vector<double>& predicted, double scale, double aim, const std::vector<double>& score,
                       const std::vector<char>& probed, bool* fallback = nullptr);

// The candidate at the median of `values` (stable order: the (n/2)-th smallest).
int MedianCandidate(const std::vector<double>& values);

}  // namespace simnas
