#include "simnas/monotonicity/adaproxy.h"

#include "simnas/latency_model/feature_linear.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {
namespace {

double SoftThreshold(double x, double t) { return x > t ? x - t : (x < -t ? x + t : 0.0); }

}  // namespace

double AdaProxyLambdaMax(const Eigen::MatrixXd& z, const Eigen::VectorXd& y) {
  const auto n = static_cast<double>(y.size());
  const Eigen::VectorXd s = z.rowwise().sum();
  const double ss = s.squaredNorm();
  const double alpha = ss > 0 ? s.dot(y) / ss : 0.0;
  const Eigen::VectorXd r = y - alpha * s;
  return (z.transpose() * r).cwiseAbs().maxCoeff() / n;
}

AdaProxySolution SolveAdaProxy(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, double lambda,
                               const AdaProxyOptions& options, const AdaProxySolution* warm) {
  const Eigen::Index n = z.rows(), d = z.cols();
  if (y.size() != n) throw Error(fmt::format("AdaProxy: {} samples but {} latencies", n, y.size()));
  if (n == 0) throw Error("AdaProxy: no samples");
  const double inv_n = 1.0 / static_cast<double>(n);
  const Eigen::VectorXd s = z.rowwise().sum();  // the proxy's own prediction wᵀx
  const double ss = s.squaredNorm();
  const Eigen::VectorXd col_sq = z.colwise().squaredNorm().transpose();
  AdaProxySolution sol;
  if (warm != nullptr && warm->b.size() == d) {
    sol = *warm;
  } else {
    sol.alpha = ss > 0 ? s.dot(y) / ss : 1.0;
    sol.b = Eigen::VectorXd::Zero(d);
  }
  Eigen::VectorXd r = y - sol.alpha * s - z * sol.b;
  const double scale = std::max(1e-300, y.cwiseAbs().maxCoeff());
  for (sol.sweeps = 0; sol.sweeps < options.max_sweeps;) {
    ++sol.sweeps;
    double max_move = 0;
    if (ss > 0) {
      const double step = s.dot(r) / ss;
      sol.alpha += step;
      r -= step * s;
      max_move = std::max(max_move, std::abs(step) * std::sqrt(ss * inv_n));
    }
    for (Eigen::Index j = 0; j < d; ++j) {
      if (col_sq(j) <= 0) continue;  // the feature never occurs in the samples: b_j stays 0
      const double a = col_sq(j) * inv_n;
      const double rho = z.col(j).dot(r) * inv_n + a * sol.b(j);
      const double next = SoftThreshold(rho, lambda) / a;
      const double move = next - sol.b(j);
      if (move != 0) {
        r -= move * z.col(j);
        sol.b(j) = next;
        max_move = std::max(max_move, std::abs(move) * std::sqrt(a));
      }
    }
    if (max_move <= options.tolerance * scale) break;
  }
  return sol;
}

namespace {

Eigen::MatrixXd Features(const LinearLatencyModel& proxy, const Eigen::MatrixXd& encoded) {
  Eigen::MatrixXd z(encoded.rows(), proxy.w.size());
  for (Eigen::Index i = 0; i < encoded.rows(); ++i) z.row(i) = encoded.row(i).transpose().cwiseProduct(proxy.w).transpose();
  return z;
}

Eigen::MatrixXd Rows(const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}

Eigen::VectorXd Rows(const Eigen::VectorXd& v, const std::vector<Eigen::Index>& rows) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = v(rows[i]);
  return out;
}

LinearLatencyModel Adapted(const LinearLatencyModel& proxy, double alpha, const Eigen::VectorXd& b) {
  LinearLatencyModel m;
  m.encoding = proxy.encoding;
  m.w = (b.array() + alpha).matrix().cwiseProduct(proxy.w);
  return m;
}

}  // namespace

AdaProxyScales FitAdaProxyScales(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, const AdaProxyOptions& options) {
  if (z.rows() != y.size()) throw Error(fmt::format("AdaProxy: {} samples but {} latencies", z.rows(), y.size()));
  if (z.rows() == 0) throw Error("AdaProxy: no measured cell to adapt the proxy to");
  const auto n = static_cast<int>(z.rows());
  AdaProxyScales fit;
  if (n < std::max(2, options.min_samples_for_validation)) {
    // Too few samples to choose λ: scale only (α), which keeps the proxy's ranking.
    const AdaProxySolution sol = SolveAdaProxy(z, y, std::numeric_limits<double>::infinity(), options);
    fit.alpha = sol.alpha;
    fit.b = sol.b;
    fit.lambda = std::numeric_limits<double>::infinity();
    fit.lambda_ratio = std::numeric_limits<double>::infinity();
    fit.train_samples = n;
    return fit;
  }
  // Validation split: every m-th sample counted from the last (at least one, at least two left to train).
  const int m = std::max(2, static_cast<int>(std::lround(1.0 / std::clamp(options.validation_fraction, 0.05, 0.5))));
  std::vector<Eigen::Index> train, validation;
  for (int i = 0; i < n; ++i) ((n - 1 - i) % m == 0 ? validation : train).push_back(i);
  const Eigen::MatrixXd zt = Rows(z, train), zv = Rows(z, validation);
  const Eigen::VectorXd yt = Rows(y, train), yv = Rows(y, validation);
  const double lambda_max = AdaProxyLambdaMax(zt, yt);
  double best_mse = std::numeric_limits<double>::infinity();
  double best_lambda = lambda_max, best_ratio = 1.0;
  AdaProxySolution warm;
  bool have_warm = false;
  for (double ratio : options.lambda_ratios) {
    const double lambda = ratio * lambda_max;
    warm = SolveAdaProxy(zt, yt, lambda, options, have_warm ? &warm : nullptr);
    have_warm = true;
    const double mse = (yv - warm.alpha * zv.rowwise().sum() - zv * warm.b).squaredNorm() /
                       static_cast<double>(yv.size());
    // Strictly better only: ties keep the larger λ (the sparser b).
    if (mse < best_mse * (1 - 1e-12)) {
      best_mse = mse;
      best_lambda = lambda;
      best_ratio = ratio;
    }
  }
  // Refit on every sample with the chosen λ, along the same path down to it (warm starts).
  const double lambda_max_all = AdaProxyLambdaMax(z, y);
  AdaProxySolution sol;
  have_warm = false;
  for (double ratio : options.lambda_ratios) {
    const double lambda = std::max(ratio * lambda_max_all, best_lambda);
    sol = SolveAdaProxy(z, y, lambda, options, have_warm ? &sol : nullptr);
    have_warm = true;
    if (lambda <= best_lambda) break;
  }
  fit.alpha = sol.alpha;
  fit.b = sol.b;
  fit.lambda = best_lambda;
  fit.lambda_ratio = best_ratio;
  fit.validation_mse = best_mse;
  fit.train_samples = static_cast<int>(train.size());
  fit.validation_samples = static_cast<int>(validation.size());
  return fit;
}

AdaProxyFit FitAdaProxy(const LinearLatencyModel& proxy, const Eigen::MatrixXd& encoded,
                        const std::vector<double>& latency_ms, const AdaProxyOptions& options) {
  if (static_cast<std::size_t>(encoded.rows()) != latency_ms.size()) {
    throw Error(fmt::format("AdaProxy: {} architectures but {} latencies", encoded.rows(), latency_ms.size()));
  }
  if (latency_ms.empty()) throw Error("AdaProxy: no measured architecture to adapt the proxy to");
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(latency_ms.data(), static_cast<Eigen::Index>(latency_ms.size()));
  AdaProxyFit fit;
  static_cast<AdaProxyScales&>(fit) = FitAdaProxyScales(Features(proxy, encoded), y, options);
  fit.adapted = Adapted(proxy, fit.alpha, fit.b);
  return fit;
}

AdaProxyTransfer EvaluateAdaProxyTransfer(const LatencyTable& proxy, const LatencyTable& target,
                                          const CandidateSet& candidates, const std::string& encoding, int samples,
                                          int repeats, std::uint64_t seed, const AdaProxyOptions& options) {
  if (!target.Complete()) throw DataError(fmt::format("AdaProxy transfer: target table {} is not complete", target.name()));
  const LinearLatencyModel model = FitLinearLatencyModel(proxy, candidates, encoding);
  AdaProxyTransfer t = EvaluateAdaProxyTransfer(EncodeCandidates(candidates, encoding), model.w, proxy.values(),
                                                target.values(), samples, repeats, seed, options);
  t.proxy = proxy.name();
  t.target = target.name();
  t.encoding = encoding;
  return t;
}

AdaProxyTransfer EvaluateAdaProxyTransfer(const Eigen::MatrixXd& x, const Eigen::VectorXd& w,
                                          const std::vector<double>& proxy_ms, const std::vector<double>& target_ms,
                                          int samples, int repeats, std::uint64_t seed,
                                          const AdaProxyOptions& options) {
  const auto n = static_cast<int>(x.rows());
  if (static_cast<int>(proxy_ms.size()) != n || static_cast<int>(target_ms.size()) != n || w.size() != x.cols()) {
    throw Error(fmt::format("AdaProxy transfer: {} encoded architectures, {} proxy and {} target latencies, {} weights "
                            "for {} features",
                            n, proxy_ms.size(), target_ms.size(), w.size(), x.cols()));
  }
  if (samples < 1 || samples > n) throw Error(fmt::format("AdaProxy transfer: {} samples of {} architectures", samples, n));
  if (repeats < 1) throw Error(fmt::format("AdaProxy transfer: {} repeats", repeats));
  AdaProxyTransfer t;
  t.samples = samples;
  t.repeats = repeats;
  t.srcc_proxy_table = Spearman(proxy_ms, target_ms);
  const Eigen::VectorXd before = x * w;
  t.srcc_before = Spearman(std::span<const double>(before.data(), static_cast<std::size_t>(before.size())), target_ms);
  const Eigen::MatrixXd z_all = x.array().rowwise() * w.transpose().array();
  std::mt19937_64 rng(seed);
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::vector<double> after;
  for (int r = 0; r < repeats; ++r) {
    std::vector<Eigen::Index> rows;
    for (int i = 0; i < samples; ++i) {
      std::uniform_int_distribution<int> pick(i, n - 1);
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(pick(rng))]);
      rows.push_back(order[static_cast<std::size_t>(i)]);
    }
    Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) y(static_cast<Eigen::Index>(i)) = target_ms[static_cast<std::size_t>(rows[i])];
    const AdaProxyScales fit = FitAdaProxyScales(Rows(z_all, rows), y, options);
    const Eigen::VectorXd adapted = x * (fit.b.array() + fit.alpha).matrix().cwiseProduct(w);
    const double s = Spearman(std::span<const double>(adapted.data(), static_cast<std::size_t>(adapted.size())), target_ms);
    after.push_back(std::isnan(s) ? 0.0 : s);
  }
  t.srcc_after_mean = Mean(after);
  t.srcc_after_std = StdDev(after);
  t.srcc_after_min = *std::min_element(after.begin(), after.end());
  return t;
}

}  // namespace simnas
