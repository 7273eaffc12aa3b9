#include "simnas/latency_model/table_mixture.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {

Eigen::VectorXd NonNegativeLeastSquares(const Eigen::MatrixXd& a, const Eigen::VectorXd& y, double ridge) {
  const Eigen::Index k = a.cols();
  Eigen::MatrixXd g = a.transpose() * a;
  g.diagonal().array() += ridge;
  const Eigen::VectorXd h = a.transpose() * y;
  Eigen::VectorXd b = Eigen::VectorXd::Zero(k);
  const double scale = std::max(1e-300, h.cwiseAbs().maxCoeff() / std::max(1e-300, g.diagonal().maxCoeff()));
  for (int sweep = 0; sweep < 5000; ++sweep) {
    double max_move = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (g(j, j) <= 0) continue;
      const double next = std::max(0.0, b(j) + (h(j) - g.row(j).dot(b)) / g(j, j));
      max_move = std::max(max_move, std::abs(next - b(j)));
      b(j) = next;
    }
    if (max_move <= 1e-12 * scale) break;
  }
  return b;
}

TargetLatencyModel::TargetLatencyModel(const std::vector<const LatencyTable*>& tables, TargetModelOptions options)
    : options_(options), loo_log_rmse_(std::numeric_limits<double>::quiet_NaN()) {
  if (tables.empty()) throw Error("a target latency model needs at least one train device table");
  const int n = static_cast<int>(tables.front()->values().size());
  tables_.resize(n, static_cast<Eigen::Index>(tables.size()));
  consensus_ = Eigen::VectorXd::Zero(n);
  for (std::size_t k = 0; k < tables.size(); ++k) {
    if (!tables[k]->Complete() || static_cast<int>(tables[k]->values().size()) != n) {
      throw DataError(fmt::format("train device table {} is not complete for the {} candidates", tables[k]->name(), n));
    }
    const std::vector<double>& v = tables[k]->values();
    const double median = Median(v);
    for (int i = 0; i < n; ++i) {
      tables_(i, static_cast<Eigen::Index>(k)) = v[static_cast<std::size_t>(i)];
      consensus_(i) += v[static_cast<std::size_t>(i)] / median;
    }
  }
  consensus_ /= static_cast<double>(tables.size());
  predictions_.assign(consensus_.data(), consensus_.data() + consensus_.size());
}

Eigen::VectorXd TargetLatencyModel::FitPredict(const std::vector<int>& indices, const std::vector<double>& ms,
                                               const std::vector<std::size_t>& fit, const std::vector<int>& rows,
                                               Eigen::VectorXd* beta, double* scale) const {
  const auto n = static_cast<Eigen::Index>(fit.size());
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  if (static_cast<int>(fit.size()) < options_.min_mixture_probes) {
    double log_ratio = 0;
    for (std::size_t p : fit) log_ratio += std::log(ms[p] / consensus_(indices[p]));
    const double s = std::exp(log_ratio / static_cast<double>(std::max<std::size_t>(1, fit.size())));
    for (std::size_t r = 0; r < rows.size(); ++r) out(static_cast<Eigen::Index>(r)) = s * consensus_(rows[r]);
    if (scale != nullptr) *scale = s;
    return out;
  }
  Eigen::MatrixXd a(n, tables_.cols());
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::size_t p = fit[static_cast<std::size_t>(i)];
    a.row(i) = tables_.row(indices[p]);
    y(i) = ms[p];
  }
  const double ridge = options_.ridge * a.squaredNorm() / static_cast<double>(a.cols());
  const Eigen::VectorXd b = NonNegativeLeastSquares(a, y, ridge);
  for (std::size_t r = 0; r < rows.size(); ++r) out(static_cast<Eigen::Index>(r)) = tables_.row(rows[r]).dot(b);
  if (beta != nullptr) *beta = b;
  return out;
}

void TargetLatencyModel::Fit(const std::vector<int>& indices, const std::vector<double>& ms) {
  if (indices.size() != ms.size()) {
    throw Error(fmt::format("target latency model: {} cells but {} latencies", indices.size(), ms.size()));
  }
  if (indices.empty()) throw Error("target latency model: no probe to fit");
  probes_ = static_cast<int>(indices.size());
  std::vector<std::size_t> all(indices.size());
  std::iota(all.begin(), all.end(), 0);
  Eigen::VectorXd beta;
  double scale = 1;
  std::vector<int> none;
  FitPredict(indices, ms, all, none, &beta, &scale);
  if (static_cast<int>(indices.size()) < options_.min_mixture_probes) {
    for (int i = 0; i < static_cast<int>(predictions_.size()); ++i) predictions_[static_cast<std::size_t>(i)] = scale * consensus_(i);
  } else {
    const Eigen::VectorXd p = tables_ * beta;
    predictions_.assign(p.data(), p.data() + p.size());
  }
  // Leave-one-out error in log space.
  loo_log_rmse_ = std::numeric_limits<double>::quiet_NaN();
  if (indices.size() >= 3) {
    double ss = 0;
    for (std::size_t out = 0; out < indices.size(); ++out) {
      std::vector<std::size_t> fit;
      for (std::size_t p = 0; p < indices.size(); ++p) {
        if (p != out) fit.push_back(p);
      }
      const double pred = FitPredict(indices, ms, fit, {indices[out]}, nullptr, nullptr)(0);
      const double r = std::log(ms[out] / std::max(pred, 1e-9));
      ss += r * r;
    }
    loo_log_rmse_ = std::sqrt(ss / static_cast<double>(indices.size()));
  }
}

}  // namespace simnas
