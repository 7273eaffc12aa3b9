// `scaled-proxy`: the FBNet search (--space fbnet). FBNet has ~10^21 networks and no accuracy
// table, so the search works within a candidate set and ranks networks by a stand-in objective:
//  - candidates: HELP's 5,000 FBNet networks. A replayed device (table:NAME) answers only these;
//    a live device could time any network, but this strategy probes only these.
//  - predicted latency: the table of a proxy device (the train table with the best mean SRCC to
//    the other train tables, the target's own table left out: titanxp_32 for a live device,
//    docs/monotonicity.md).
//  - objective: multiply-adds (fbnet_cost.h), higher is better; NOT an accuracy.
// Probing (One Proxy Device's step 5, simplified): the candidates on the Pareto front of
// (predicted latency, multiply-adds) in order of predicted latency; first the middle member;
// then, while every measured member is on one side of the budget, the member predicted to fit
// once predictions are rescaled by measured/predicted of the nearest measured member (at least
// one member further); once the budget is bracketed, bisection; once the bracket is closed, the
// unprobed candidates with the most multiply-adds predicted to fit (rescaled by the highest
// member measured within the budget), or, when no member fits, the fastest predicted ones. The answer is the probed network with the most
// multiply-adds among those whose MEASURED latency is within the budget; never a prediction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/search_space/fbnet/fbnet_numbering.h"

namespace simnas {

inline constexpr const char* kFbnetStrategyName = "scaled-proxy";

struct FbnetSearchInputs {
  const FbnetNumbering* candidates = nullptr;       // HELP's networks; tables are in their order
  std::vector<const LatencyTable*> train_tables;    // proxy-device candidates (target's own left out)
};

struct FbnetAnswer {
  bool found = false;     // something was probed
  bool feasible = false;  // its measured latency is within the budget
  ProbeRecord chosen;     // the answer, or (infeasible) the fastest probed network
  std::int64_t multiply_adds = 0;
};

struct FbnetSearchReport {
  std::string strategy = kFbnetStrategyName;
  std::string device;
  std::string run_id;
  std::string proxy_device;  // the table whose ranking was followed
  int candidates = 0;
  double budget_ms = 0;
  int probe_budget = 0;
  int probes_used = 0;
  int measured_now = 0;
  std::vector<ProbeRecord> trajectory;
  std::vector<std::int64_t> trajectory_multiply_adds;
  FbnetAnswer answer;
  double wall_seconds = 0;
};

// The answer rule: most multiply-adds among probed networks measured within the budget (ties:
// the faster, then the earlier probe); none: infeasible, the fastest probed one reported.
FbnetAnswer ChooseFbnetAnswer(const std::vector<ProbeRecord>& probed, double budget_ms);

// Runs the search on `device` with a fresh probe session of `probe_budget` networks.
FbnetSearchReport RunFbnetSearch(Device& device, const FbnetSearchInputs& inputs, double budget_ms,
                                 int probe_budget, ProbeStore* store, const std::string& run_id,
                                 const std::function<void()>& on_ready = {});

}  // namespace simnas
