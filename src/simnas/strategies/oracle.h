// Upper bounds for reports, never a way to search an unseen device: they read the device's
// complete latency table (Device::FullTable) and refuse devices without one.
//  - `oracle`:       the best NATS-Bench test ACCURACY (of the task's dataset) within the latency
//                    budget. This is the one strategy that reads accuracy; it does so only
//                    here, through an AccuracyTable handed to it (or loaded from the default
//                    data folder), to give the true upper bound of a report.
//  - `proxy-oracle`: the best PROXY SCORE within the budget with exact latencies: the ceiling
//                    of any strategy that ranks by the proxy (every other strategy).
// Each probes exactly one cell, its answer, so the common answer rule reports it with its
// measured latency. Without a latency budget they maximize the paper's reward with the
// latency normalized over the whole table.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "simnas/data/accuracy_table.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

enum class OracleTarget { kAccuracy, kProxy };

class OracleStrategy : public Strategy {
 public:
  // `data_dir`: where the `oracle` loads the task's accuracy from when none was given.
  explicit OracleStrategy(OracleTarget target, std::filesystem::path data_dir = {})
      : target_(target), data_dir_(std::move(data_dir)) {}

  std::string name() const override { return target_ == OracleTarget::kAccuracy ? "oracle" : "proxy-oracle"; }
  // Throws Error when the device has no complete table, or (oracle) accuracy is unavailable.
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

  // The accuracy the `oracle` ranks by; without one it loads the task's dataset from
  // the data folder it was given.
  void UseAccuracy(const AccuracyTable& accuracy) { accuracy_ = &accuracy; }

 private:
  OracleTarget target_;
  std::filesystem::path data_dir_;
  const AccuracyTable* accuracy_ = nullptr;
  std::mutex mutex_;  // one object may serve several searches
  std::shared_ptr<const AccuracyTable> loaded_;
};

// The NATS-Bench index the oracle of `target` answers on `latency` (a complete table, by
// index), or -1 when no cell meets the budget. `score` is accuracy or proxy by index.
int OracleIndex(const std::vector<double>& latency, const std::vector<double>& score,
                const std::optional<double>& latency_budget_ms);

}  // namespace simnas
