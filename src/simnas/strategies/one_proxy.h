// `one-proxy`: One Proxy Device (Lu et al., 2021) inside one probe budget, in any space.
// When the candidates are the whole space it is the paper's Algorithm 1 end to end (below);
// when they are a sample (a published set or a partial table), the table-following variant
// `one-proxy-refit` (table_strategies.h), AdaProxy refitted after every probe. Both are also
// available by their own names: `one-proxy-paper` and `one-proxy-refit`.
//
// Algorithm 1 of "One Proxy Device Is Enough for Hardware-Aware NAS":
//  1. Proxy device d0: a train device (default: the best mean SRCC to the other train
//     devices, Sec. 5.3.1) and its linear latency model L_d0(x) = wᵀx on the space's default
//     encoding (NAS-Bench-201: op counts), fitted on d0's complete table.
//  2. Sample set A (line 3): ceil(sample_share × budget) probes (4 of 10), at least one and
//     at least one probe left for the Pareto set. Cells are drawn at random, one from each of
//     |A| equal strata of L_d0's latency order, so that A spans the latency range.
//  3. SRCC between the measured latencies of A and L_d0 (line 4). At or above the threshold
//     (0.9): keep L_d0, only scaled by least squares to the target's milliseconds (line 6;
//     a scale changes no ranking). Below it: AdaProxy, Eq. 3, fitted on A (line 8).
//  4. The Pareto set of (predicted latency, score) by exhaustive search over the candidates
//     (the paper does the same over NAS-Bench-201's 15,625 cells, Sec. 6.2) (lines 6/9).
//  5. Its members are measured on the target (line 11) as far as the budget allows. With a
//     latency budget: first the member predicted to be the slowest feasible one; then, while
//     every measured member is on one side of the budget, a step to the member predicted
//     to fit once the predictions are rescaled by measured/predicted latency of the nearest
//     measured member (at least one member further); once the budget is bracketed,
//     bisection between the highest member measured feasible and the lowest measured
//     infeasible one; once they are adjacent, the members above (where the adapted ranking
//     may still be wrong). Without a budget, the probes are spread evenly along the set.
//  6. Members not Pareto-optimal by measured latency are dropped (logged at debug level);
//     the answer is the common rule, the best proxy among measured-feasible cells.
#pragma once

#include <string>

#include "simnas/monotonicity/adaproxy.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct OneProxyOptions {
  double sample_share = 0.4;
  double srcc_threshold = 0.9;
  // Empty: the space's default encoding (its first). NAS-Bench-201's is op counts: on the
  // train devices (each the target, the others' best as proxy) AdaProxy from 10-30 cells
  // reaches a higher SRCC with op counts than with per-edge one-hot (25 weights are too many
  // for so few cells); see docs/monotonicity.md.
  std::string encoding;
  AdaProxyOptions adaproxy;
  std::string proxy_device;  // a train table name; empty: the best mean SRCC to the others
};

// Algorithm 1 (`one-proxy-paper`).
class OneProxyStrategy : public Strategy {
 public:
  explicit OneProxyStrategy(OneProxyOptions options = {}, std::string name = "one-proxy-paper")
      : options_(std::move(options)), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

 private:
  OneProxyOptions options_;
  std::string name_;
};

// The train table used as proxy device: `name` if given (must be among `tables`), else the
// one with the best mean SRCC to the others. Throws Error when there is no table.
const LatencyTable& SelectProxyDevice(const std::vector<const LatencyTable*>& tables, const std::string& name);

// Sample set A: `count` candidates, one drawn uniformly from each of `count` equal strata of the
// candidates ordered by `predicted` latency (by candidate index). Deterministic for a seed.
std::vector<int> StratifiedSample(const std::vector<double>& predicted, int count, std::uint64_t seed);

}  // namespace simnas
