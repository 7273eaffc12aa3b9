// The FBNet latency predictors and the probe-choice rule that the FBNet strategies
// (strategies/fbnet_search.h) and the controller's FBNet decision process
// (controller/fbnet_episode.h) share. All work on HELP's candidates (one value per candidate,
// in the numbering's order).
//  - FbnetLinearProxy: a table (the proxy device's) as a linear model w on the layer-onehot
//    features (fbnet_encoding.h), adapted to the target's measurements by AdaProxy (Eq. 3):
//    L'(x) = [(alpha + b) o w]^T x.
//  - MatchFbnetTable: among tables, the one that best matches measured latencies up to scale
//    (least squares of log measured - log table - c, c their mean), and exp(c).
//  - PickFbnetCandidate: the unprobed candidate with the best objective among those predicted
//    to fit an aim; none: the fastest predicted unprobed one.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "simnas/data/latency_table.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

class FbnetLinearProxy {
 public:
  FbnetLinearProxy() = default;
  // Least squares of `proxy`'s latencies of `archs` on their layer-onehot features.
  FbnetLinearProxy(const std::vector<FbnetArch>& archs, const LatencyTable& proxy);

  // The proxy's own predictions (x w), in its units.
  const std::vector<double>& base() const { return base_; }
  // AdaProxy refitted on the measured candidates `rows` (latencies `ms`): the adapted
  // prediction of every candidate into `predicted` (resized).
  void Adapt(const std::vector<int>& rows, const std::vector<double>& ms, std::vector<double>& predicted) const;
  // Whether this model was built from these candidates and this table (same values).
  bool IsOf(const std::vector<FbnetArch>& archs, const LatencyTable& proxy) const;
  int size() const { return static_cast<int>(base_.size()); }

 private:
  const std::vector<FbnetArch>* archs_ = nullptr;
  std::vector<double> proxy_values_;  // to tell a reused address from the same table
  Eigen::MatrixXd x_;                 // layer-onehot rows of the candidates
  Eigen::VectorXd w_;                 // the proxy's linear model
  Eigen::MatrixXd z_;                 // x_ij w_j
  std::vector<double> base_;          // x w
};

struct FbnetTableMatch {
  const LatencyTable* table = nullptr;
  double shift = 0;  // c: the table's latencies times exp(c) predict the target's
  double error = 0;  // sum of squared log residuals after the shift
};

// The table of `tables` that best matches `ms` measured for candidates `rows` up to scale
// (ties: the earlier table). With one measurement every table fits exactly, so `current` is
// kept (with its shift). `rows` must not be empty.
FbnetTableMatch MatchFbnetTable(const std::vector<const LatencyTable*>& tables, const LatencyTable* current,
                                const std::vector<int>& rows, const std::vector<double>& ms);

// The unprobed candidate (probed[i] == 0) with the best `score` among those with
// predicted[i] * scale <= aim (ties: the lower predicted); none: the unprobed one with the
// lowest predicted; every candidate probed: -1. `fallback`, when given, is set to whether
// nothing was predicted to fit.
int PickFbnetCandidate(const std::vector<double>& predicted, double scale, double aim, const std::vector<double>& score,
                       const std::vector<char>& probed, bool* fallback = nullptr);

// The candidate at the median of `values` (stable order: the (n/2)-th smallest).
int MedianFbnetCandidate(const std::vector<double>& values);

}  // namespace simnas
