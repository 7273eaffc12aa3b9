// Strategies that follow the train devices' tables over any candidate set (one value per
// candidate), choosing every probe from a latency prediction and the scores; the answer is the
// common rule's (answer.h). The proxy device is the train table with the best mean SRCC to the
// others (ProxyDeviceTable). Each needs a latency budget.
//  - `one-proxy-refit`: the proxy table as a linear model on the space's default encoding
//    (monotonicity/table_predictors.h), adapted to the target with AdaProxy's Eq. 3 (alpha,
//    sparse b) refitted after every probe; first probe: the candidate at the median of the
//    proxy's prediction; then the unprobed candidate with the best score among those predicted
//    to fit (none predicted to fit: the fastest predicted unprobed candidate).
//  - `scaled-proxy`: the Pareto front of (proxy table latency, score), bracketed and bisected
//    with measured/predicted rescaling (details in table_strategies.cpp).
//  - `matched-proxy`: like `one-proxy-refit` but following, after every probe, the train TABLE
//    that best matches the measured latencies up to scale (log least squares), rescaled; it
//    aims at budget x 0.8^m until a probe fits and budget x 0.97^m after, m = the probes in a
//    row measured over the budget.
// All are deterministic (no seed).
#pragma once

#include <memory>

#include "simnas/monotonicity/table_predictors.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

class OneProxyRefitStrategy : public Strategy {
 public:
  explicit OneProxyRefitStrategy(std::string name = "one-proxy-refit") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  StrategyNeeds needs() const override { return {.budget = true}; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

 private:
  std::string name_;
  LinearProxyModel model_;  // kept for the next search on the same candidates and table
};

class ScaledProxyStrategy : public Strategy {
 public:
  std::string name() const override { return "scaled-proxy"; }
  StrategyNeeds needs() const override { return {.budget = true}; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

class MatchedProxyStrategy : public Strategy {
 public:
  std::string name() const override { return "matched-proxy"; }
  StrategyNeeds needs() const override { return {.budget = true}; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

}  // namespace simnas
