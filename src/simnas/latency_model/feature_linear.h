// A linear latency model on an encoded architecture of any search space: L(x) = wᵀx, where
// the first entry of x is the fixed part (always 1) and the others are the space's features
// (Space::Encode: which choice sits where, or counts of choices).
// This is One Proxy Device's latency predictor (Sec. 5.4.1) for a space whose tables list
// only some architectures, so the rows of `x` are whatever architectures the table has.
#pragma once

#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "simnas/space/candidates.h"

namespace simnas {

// Row i encodes candidate i (Space::Encode with `encoding`).
Eigen::MatrixXd EncodeCandidates(const CandidateSet& candidates, std::string_view encoding);

struct FeatureLinearModel {
  Eigen::VectorXd w;  // one weight per feature; w(0) is the fixed part in ms

  // Predictions for every row of `x`.
  std::vector<double> PredictAll(const Eigen::MatrixXd& x) const;
};

// Least squares of `latency_ms` (one per row of `x`) on `x`; a feature that never occurs
// gets weight 0. Throws Error naming `what` when the sizes differ or a latency is not finite.
FeatureLinearModel FitFeatureLinearModel(const Eigen::MatrixXd& x, const std::vector<double>& latency_ms,
                                         std::string_view what);

}  // namespace simnas
