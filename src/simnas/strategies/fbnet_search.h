// The FBNet search (--space fbnet). FBNet has ~10^21 networks and no accuracy table, so every
// FBNet strategy works within a candidate set and ranks networks by a stand-in objective:
//  - candidates: HELP's 5,000 FBNet networks. A replayed device (table:NAME) answers only these;
//    a live device could time any network, but these strategies probe only these.
//  - objective: a named score per candidate (fbnet_objective.h; multiply-adds so far), higher
//    is better; NOT an accuracy.
//  - what a strategy may know besides its probes: the tables of the train devices (the
//    target's own left out). The proxy device is the one with the best mean SRCC to the
//    other train tables (titanxp_32 for a live device, docs/monotonicity.md).
// Every strategy probes through a ProbeSession (which counts the probe budget); the answer
// is chosen by one rule for all (ChooseFbnetAnswer): the best objective among PROBED networks
// whose MEASURED latency is within the budget; never a prediction. Strategies (FbnetStrategy):
//  - `random`: distinct random candidates (seeded), until the probes are spent.
//  - `one-proxy` (One Proxy Device on FBNet): the proxy device's table as a linear model on the
//    layer-onehot features (fbnet_encoding.h), adapted to the target with AdaProxy's Eq. 3
//    (α, sparse b) refitted after every probe; first probe: the candidate at the median of the
//    proxy's prediction; then the unprobed candidate with the best objective among those
//    predicted to fit (none predicted to fit: the fastest predicted unprobed candidate).
//  - `scaled-proxy`: the Pareto front of (proxy table latency, objective), bracketed and
//    bisected with measured/predicted rescaling (details in fbnet_search.cpp).
//  - `matched-proxy` (the default): like `one-proxy` but following, after every probe, the train
//    TABLE that best matches the measured latencies up to scale (log least squares), rescaled;
//    it aims at budget x 0.8^m until a probe fits and budget x 0.97^m after, m = the probes in a
//    row measured over the budget.
//  - `controller`: the PPO policy meta-trained on synthetic FBNet devices (fbnet_controller.h),
//    choosing per probe a predictor (matched table or AdaProxy) and an aim (budget x 0.6 .. 1.1).
// All are deterministic for a seed (only `random` uses it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"
#include "simnas/spaces/fbnet/fbnet_numbering.h"
#include "simnas/strategies/fbnet_objective.h"

namespace simnas {

// The default FBNet strategy, chosen from the benchmark group `fbnet` (docs/benchmark-fbnet.md):
// 0 violations and the lowest proxy regret at 10 probes on the test devices.
inline constexpr const char* kFbnetDefaultStrategy = "matched-proxy";

struct FbnetSearchInputs {
  const FbnetNumbering* candidates = nullptr;       // HELP's networks; tables are in their order
  std::vector<const LatencyTable*> train_tables;    // proxy-device candidates (target's own left out)
  const FbnetObjective* objective = nullptr;        // one score per candidate
  // The proxy device among train_tables when already chosen (a benchmark chooses it once per
  // target); null: ChooseFbnetProxyTable(train_tables).
  const LatencyTable* proxy = nullptr;
};

// One FBNet strategy: decides what to probe; the answer is then ChooseFbnetAnswer's. One object
// serves many searches: each call is independent of earlier ones, deterministic for `seed`.
class FbnetStrategy {
 public:
  virtual ~FbnetStrategy() = default;
  virtual std::string name() const = 0;
  // Probes through `session` until it has nothing better to probe or no probes are left.
  // `inputs` is checked by RunFbnetSearch (candidates, objective and tables of one size).
  virtual void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget_ms,
                      std::uint64_t seed) = 0;
};

// Files some FBNet strategies read (the Environment's models folder).
struct FbnetStrategyFiles {
  std::filesystem::path controller_model;  // `controller`: models/controller/fbnet.ctl
};

// The FBNet strategies, in the order help lists them.
std::vector<std::string> FbnetStrategyNames();
// `name` ("" or "default": kFbnetDefaultStrategy). Throws ParseError for any other name, in one
// line listing the FBNet strategies (an NAS-Bench-201 strategy is such a name). A model file is
// read on the strategy's first search, not here.
std::unique_ptr<FbnetStrategy> MakeFbnetStrategy(const std::string& name, const FbnetStrategyFiles& files = {});
// The proxy device of `tables`: the one with the best mean SRCC to the others (the only one
// when there is one). Throws Error when there is none.
const LatencyTable& ChooseFbnetProxyTable(const std::vector<const LatencyTable*>& tables);
// inputs.proxy, or ChooseFbnetProxyTable(inputs.train_tables).
const LatencyTable& FbnetProxyDeviceTable(const FbnetSearchInputs& inputs);

struct FbnetAnswer {
  bool found = false;     // something was measured
  bool feasible = false;  // its measured latency is within the budget
  ProbeRecord chosen;     // the answer, or (infeasible) the fastest probed network
  double objective = 0;   // the chosen network's objective
};

struct FbnetSearchReport {
  std::string strategy;
  std::string objective;  // the objective's name
  std::string device;
  std::string run_id;
  std::string proxy_device;  // the train table the proxy-based strategies follow
  int candidates = 0;
  double budget_ms = 0;
  int probe_budget = 0;
  int probes_used = 0;
  int measured_now = 0;
  int failed_probes = 0;       // probes the device refused (in the trajectory, failed())
  std::string stopped_reason;  // why the search stopped before its budget (failures in a row), or empty
  std::vector<ProbeRecord> trajectory;  // failed probes included
  std::vector<double> trajectory_objective;
  FbnetAnswer answer;
  double wall_seconds = 0;
};

// The answer rule: the best objective among probed networks measured within the budget (ties:
// the faster, then the earlier probe); none: infeasible, the fastest probed one reported.
// Failed probes are ignored. Every measured record's index must be a candidate of `objective`.
FbnetAnswer ChooseFbnetAnswer(const std::vector<ProbeRecord>& probed, double budget_ms,
                              const FbnetObjective& objective);

// Runs `strategy` on `device` with a fresh probe session of `probe_budget` networks (`on_ready`
// and `on_probe` as RunSearch's, search_runner.h). A probe the
// device refuses is listed in the trajectory as failed; throws DeviceError (saying how many
// failed, and the last reason) when no probe was measured and at least one failed.
FbnetSearchReport RunFbnetSearch(FbnetStrategy& strategy, Device& device, const FbnetSearchInputs& inputs,
                                 double budget_ms, int probe_budget, std::uint64_t seed, ProbeStore* store,
                                 const std::string& run_id, const std::function<void()>& on_ready = {},
                                 const ProbeObserver& on_probe = {});

}  // namespace simnas
