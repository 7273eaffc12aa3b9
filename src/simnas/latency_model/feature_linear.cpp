#include "simnas/latency_model/feature_linear.h"

#include <cmath>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

Eigen::MatrixXd EncodeCandidates(const CandidateSet& candidates, std::string_view encoding) {
  const Space& space = candidates.space();
  Eigen::MatrixXd x(candidates.size(), space.FeatureCount(encoding));
  for (int i = 0; i < candidates.size(); ++i) x.row(i) = space.Encode(candidates.at(i), encoding).transpose();
  return x;
}

std::vector<double> FeatureLinearModel::PredictAll(const Eigen::MatrixXd& x) const {
  const Eigen::VectorXd p = x * w;
  return std::vector<double>(p.data(), p.data() + p.size());
}

FeatureLinearModel FitFeatureLinearModel(const Eigen::MatrixXd& x, const std::vector<double>& latency_ms,
                                         std::string_view what) {
  if (static_cast<std::size_t>(x.rows()) != latency_ms.size() || x.rows() == 0) {
    throw Error(fmt::format("linear latency model of {}: {} encoded architectures but {} latencies", what, x.rows(),
                            latency_ms.size()));
  }
  for (std::size_t i = 0; i < latency_ms.size(); ++i) {
    if (!std::isfinite(latency_ms[i])) {
      throw Error(fmt::format("linear latency model of {}: latency {} of row {} is not finite", what, latency_ms[i], i));
    }
  }
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(latency_ms.data(), static_cast<Eigen::Index>(latency_ms.size()));
  // Rank-revealing QR: a column that is all zero (a block never seen at a layer) or a
  // combination of others gets no weight instead of an arbitrary one.
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  FeatureLinearModel model;
  model.w = qr.solve(y);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    if (x.col(j).cwiseAbs().maxCoeff() == 0) model.w(j) = 0;
  }
  return model;
}

}  // namespace simnas
