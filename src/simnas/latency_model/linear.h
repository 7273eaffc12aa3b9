// A proxy device's linear latency predictor L(x) = wᵀx (One Proxy Device, Sec. 5.4.1) on an
// encoding of any search space (Space::Encode: the first entry is the fixed part, always 1;
// e.g. NAS-Bench-201's op counts [1, #skip, #conv1x1, #conv3x3, #avgpool], or the generic
// one-hot of every position's choice with a reference choice left out, so that w is
// identifiable).
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "simnas/data/latency_table.h"
#include "simnas/space/candidates.h"

namespace simnas {

struct LinearLatencyModel {
  std::string encoding;  // a name of Space::EncodingNames()
  Eigen::VectorXd w;     // Space::FeatureCount(encoding) weights; w(0) is the fixed part in ms

  // Predictions for every row of `encoded` (EncodeCandidates with this encoding).
  std::vector<double> PredictAll(const Eigen::MatrixXd& encoded) const;
};

// Least squares of `table` (complete, value i = candidate i) on `encoding` over the candidates
// (rank-revealing QR; a feature that never occurs gets weight 0). Throws DataError if the table
// is not complete, ParseError for an encoding the space does not know.
LinearLatencyModel FitLinearLatencyModel(const LatencyTable& table, const CandidateSet& candidates,
                                         const std::string& encoding);

}  // namespace simnas
