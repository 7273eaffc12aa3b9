#include "simnas/monotonicity/table_predictors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "simnas/core/error.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {
std::size_t U(int i) { return static_cast<std::size_t>(i); }
}  // namespace

LinearProxyModel::LinearProxyModel(const CandidateSet& candidates, const LatencyTable& proxy)
    : candidates_(&candidates), proxy_values_(proxy.values()) {
  x_ = EncodeCandidates(candidates, candidates.space().EncodingNames().front());
  w_ = FitFeatureLinearModel(x_, proxy.values(), "proxy table " + proxy.name()).w;
  z_ = x_ * w_.asDiagonal();
  const Eigen::VectorXd b = x_ * w_;
  base_.assign(b.data(), b.data() + b.size());
}

bool LinearProxyModel::IsOf(const CandidateSet& candidates, const LatencyTable& proxy) const {
  return candidates_ == &candidates && proxy_values_ == proxy.values() &&
         x_.rows() == static_cast<Eigen::Index>(candidates.size());
}

void LinearProxyModel::Adapt(const std::vector<int>& rows, const std::vector<double>& ms,
                             std::vector<double>& predicted) const {
  if (rows.empty() || rows.size() != ms.size()) throw Error("AdaProxy: no measurements to adapt to");
  Eigen::MatrixXd z(static_cast<Eigen::Index>(rows.size()), z_.cols());
  Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    z.row(static_cast<Eigen::Index>(k)) = z_.row(rows[k]);
    y(static_cast<Eigen::Index>(k)) = ms[k];
  }
  const AdaProxyScales s = FitAdaProxyScales(z, y);
  const Eigen::VectorXd adapted = ((s.b.array() + s.alpha) * w_.array()).matrix();
  const Eigen::VectorXd p = x_ * adapted;
  predicted.assign(p.data(), p.data() + p.size());
}

TableMatch MatchTable(const std::vector<const LatencyTable*>& tables, const LatencyTable* current,
                                const std::vector<int>& rows, const std::vector<double>& ms) {
  if (rows.empty() || rows.size() != ms.size()) throw Error("table match: no measurements to match");
  const auto fit = [&](const LatencyTable* table) {
    TableMatch m;
    m.table = table;
    double c = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) c += std::log(ms[k]) - std::log(table->values()[U(rows[k])]);
    c /= static_cast<double>(rows.size());
    double error = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const double e = std::log(ms[k]) - std::log(table->values()[U(rows[k])]) - c;
      error += e * e;
    }
    m.shift = c;
    m.error = error;
    return m;
  };
  if (rows.size() == 1) return fit(current);
  TableMatch best;
  for (const LatencyTable* table : tables) {
    const TableMatch m = fit(table);
    if (best.table == nullptr || m.error < best.error) best = m;
  }
  return best;
}

int PickCandidate(const std::vector<double>& predicted, double scale, double aim, const std::vector<double>& score,
                       const std::vector<char>& probed, bool* fallback) {
  const int count = static_cast<int>(predicted.size());
  int pick = -1;
  for (int i = 0; i < count; ++i) {
    if (probed[U(i)] || predicted[U(i)] * scale > aim) continue;
    if (pick < 0 || score[U(i)] > score[U(pick)] ||
        (score[U(i)] == score[U(pick)] && predicted[U(i)] < predicted[U(pick)])) {
      pick = i;
    }
  }
  if (fallback != nullptr) *fallback = pick < 0;
  if (pick < 0) {
    for (int i = 0; i < count; ++i) {
      if (!probed[U(i)] && (pick < 0 || predicted[U(i)] < predicted[U(pick)])) pick = i;
    }
  }
  return pick;
}

int MedianCandidate(const std::vector<double>& values) {
  const int count = static_cast<int>(values.size());
  if (count == 0) throw Error("search: no candidates");
  std::vector<int> order(U(count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return values[U(a)] < values[U(b)]; });
  return order[U(count / 2)];
}

}  // namespace simnas
