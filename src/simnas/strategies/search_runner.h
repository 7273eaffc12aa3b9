// Running one search end to end, for any space: a strategy on a device through a probe session,
// the answer chosen by the common rule, and a report. Accuracy is looked up only after the
// search, for the report; the strategy never sees it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "simnas/devices/device.h"
#include "simnas/probe/probe_store.h"
#include "simnas/strategies/answer.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct SearchReport {
  std::string strategy;
  std::string device;  // spec
  std::string run_id;
  SearchTask task;
  std::string score_name;   // what the candidates were ranked by
  std::string candidates;   // what they are (CandidateSet::source)
  int candidate_count = 0;
  int probe_budget = 0;
  int probes_used = 0;
  int measured_now = 0;  // probes measured in this process (the rest replayed from the store)
  int failed_probes = 0;  // probes the device refused (in the trajectory, failed())
  std::string stopped_reason;  // why the search stopped before its budget (failures in a row), or empty
  SearchAnswer answer;
  std::vector<ProbeRecord> trajectory;     // every probed candidate, in probe order, failed ones included
  std::vector<double> trajectory_scores;   // their scores (0 for a probe of no candidate)
  double wall_seconds = 0;
};

// Throws ParseError, in one line naming the strategy and the space, when `strategy` needs what
// `context` or `task` lacks (StrategyNeeds).
void CheckNeeds(const Strategy& strategy, const SearchTask& task, const SearchContext& context, const Device& device);

// Runs `strategy` on `device` with a fresh probe session of `probe_budget` distinct candidates.
// `store` may be null (live measurements are then not persisted). A probe the device refuses
// costs that probe, is listed in the trajectory as failed, and the strategy goes on; throws
// DeviceError (saying how many failed, and the last reason) when no probe was measured and at
// least one failed. CheckNeeds first.
// `on_ready` (optional) is called once the probe session holds its run-id lock and has
// checked the store, just before the first probe (e.g. to print what is starting);
// `on_probe` (optional) after every probe (a progress line).
SearchReport RunSearch(Strategy& strategy, Device& device, const SearchTask& task, int probe_budget,
                       const SearchContext& context, ProbeStore* store, const std::string& run_id,
                       const std::function<void()>& on_ready = {}, const ProbeObserver& on_probe = {});

// [ci_low_ms, ci_high_ms] of a measurement, or null when its device gives no interval.
nlohmann::json IntervalJson(const Measurement& m);

// JSON of a report: space, strategy, device, run id, budget, score (its name), candidates,
// arch, index (in the space's numbering), latency_ms (measured) and its interval_ms, score
// value, feasible, probes_used, failed_probes, trajectory (a failed probe: latency_ms null and
// its "failure"), "stopped" when the search stopped early. `candidates` numbers the indices.
nlohmann::json ReportToJson(const SearchReport& report, const CandidateSet& candidates);

}  // namespace simnas
