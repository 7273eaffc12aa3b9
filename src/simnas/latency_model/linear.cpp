#include "simnas/latency_model/linear.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/latency_model/feature_linear.h"

namespace simnas {

std::vector<double> LinearLatencyModel::PredictAll(const Eigen::MatrixXd& encoded) const {
  const Eigen::VectorXd p = encoded * w;
  return std::vector<double>(p.data(), p.data() + p.size());
}

LinearLatencyModel FitLinearLatencyModel(const LatencyTable& table, const CandidateSet& candidates,
                                         const std::string& encoding) {
  if (!table.Complete() || static_cast<int>(table.values().size()) != candidates.size()) {
    throw DataError(fmt::format("cannot fit a linear latency model to {}: the table is not complete for the {} "
                                "candidates",
                                table.name(), candidates.size()));
  }
  LinearLatencyModel model;
  model.encoding = encoding;
  model.w = FitFeatureLinearModel(EncodeCandidates(candidates, encoding), table.values(), table.name()).w;
  return model;
}

}  // namespace simnas
