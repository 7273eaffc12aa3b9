// AdaProxy (One Proxy Device, Sec. 5.4.2, Eq. 3): adapting a proxy device's linear latency
// model L(x) = wᵀx to a target device from a few cells measured on the target:
//
//   L'(x) = [(α·1 + b) ∘ w]ᵀ x,
//   min over α, b of  (1/2N) Σ_i (L'(x_i) − y_i)² + λ ‖b‖₁
//
// (the paper's 1/N loss with λ/2; the same minimizers). α scales the whole proxy (which alone
// cannot change any ranking); the sparse b corrects the few features whose slow-down differs
// on the target. λ is chosen on a validation split of the samples, then the model is refit
// on all of them with that λ.
//
// Solver: cyclic coordinate descent (the lasso with one unpenalized coordinate, α), warm
// started along a decreasing λ path, written here on Eigen: Debian packages no L1 solver
// for C++ (Eigen has none; mlpack/shogun would be large dependencies for a 25-variable
// problem), and the problem is tiny.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "simnas/latency_model/linear.h"

namespace simnas {

struct AdaProxyOptions {
  // Share of the samples held out to choose λ (every round(1/f)-th sample, counted from the
  // last one; at least one sample). Below `min_samples_for_validation` samples, λ is not
  // chosen: b stays 0 and only α is fitted.
  double validation_fraction = 0.3;
  int min_samples_for_validation = 4;
  // The λ path, as ratios to λ_max (the smallest λ at which b = 0), from large to small.
  std::vector<double> lambda_ratios = {1.0, 0.5, 0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.0025, 0.001, 0.0};
  int max_sweeps = 5000;
  double tolerance = 1e-10;  // stop when no coordinate moves more than this (relative)
};

// One solution of Eq. 3 for a fixed λ on features z_ij = x_ij w_j (rows: samples).
struct AdaProxySolution {
  double alpha = 1;
  Eigen::VectorXd b;
  int sweeps = 0;
};
// `warm` (may be null) starts the descent from an earlier solution.
AdaProxySolution SolveAdaProxy(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, double lambda,
                               const AdaProxyOptions& options, const AdaProxySolution* warm = nullptr);
// The smallest λ for which b = 0 solves Eq. 3 (α then is plain least squares).
double AdaProxyLambdaMax(const Eigen::MatrixXd& z, const Eigen::VectorXd& y);

// The fitted scales of Eq. 3 on features z_ij = x_ij w_j (rows: measured architectures; any
// search space's encoding), λ chosen on a validation split as above.
struct AdaProxyScales {
  double alpha = 1;
  Eigen::VectorXd b;
  double lambda = 0;        // absolute, in the (1/2N) scaling above
  double lambda_ratio = 0;  // chosen λ / λ_max of the training split (inf: b fixed at 0)
  double validation_mse = 0;
  int train_samples = 0;
  int validation_samples = 0;
};
// Throws Error when the sizes differ or there is no sample.
AdaProxyScales FitAdaProxyScales(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, const AdaProxyOptions& options = {});

struct AdaProxyFit : AdaProxyScales {
  LinearLatencyModel adapted;  // w' = (α + b) ∘ w, same encoding as the proxy model
};

// Fits AdaProxy from architectures measured on the target at `latency_ms`; row i of `encoded`
// is architecture i in the proxy model's encoding (at least one). Throws Error when the sizes
// differ or there is no sample.
AdaProxyFit FitAdaProxy(const LinearLatencyModel& proxy, const Eigen::MatrixXd& encoded,
                        const std::vector<double>& latency_ms, const AdaProxyOptions& options = {});

// Transfer from a proxy table to a target table (both complete, aligned with `candidates`), for
// reports: SRCC with the target over all candidates of the proxy table itself, of the proxy's
// linear model on `encoding` (before), and of AdaProxy fitted on k uniformly drawn target
// candidates (after; mean ± std over repeats).
struct AdaProxyTransfer {
  std::string proxy;
  std::string target;
  std::string encoding;
  int samples = 0;
  int repeats = 0;
  double srcc_proxy_table = 0;
  double srcc_before = 0;
  double srcc_after_mean = 0;
  double srcc_after_std = 0;
  double srcc_after_min = 0;
};
AdaProxyTransfer EvaluateAdaProxyTransfer(const LatencyTable& proxy, const LatencyTable& target,
                                          const CandidateSet& candidates, const std::string& encoding, int samples,
                                          int repeats, std::uint64_t seed, const AdaProxyOptions& options = {});
// The same for any search space: row i of `x` encodes architecture i of both tables
// (`proxy_ms`, `target_ms`: complete, same order), `w` is the proxy's linear model on that
// encoding. Samples are drawn from the rows. Names and encoding of the result are left empty.
AdaProxyTransfer EvaluateAdaProxyTransfer(const Eigen::MatrixXd& x, const Eigen::VectorXd& w,
                                          const std::vector<double>& proxy_ms, const std::vector<double>& target_ms,
                                          int samples, int repeats, std::uint64_t seed,
                                          const AdaProxyOptions& options = {});

}  // namespace simnas
