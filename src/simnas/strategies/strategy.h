// Search strategies: ways to decide which cells to measure on the target device.
//
// Every strategy runs behind this one interface and sees latencies only through the
// ProbeSession it is given (which counts the probe budget). A strategy only decides what to
// probe; the answer is then chosen from the probed cells by ChooseAnswer (answer.h), the
// same rule for every strategy, so every answer's latency was measured.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/dataset.h"
#include "simnas/data/latency_table.h"
#include "simnas/probe/probe_session.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

struct SearchTask {
  Dataset dataset = Dataset::kCifar100;
  // Latency constraint; without one the objective is the paper's unconstrained reward.
  std::optional<double> latency_budget_ms;
  std::uint64_t seed = 0;
};

// What a strategy may know besides the probes: the search space, the proxy scores of the
// task's dataset, and the benchmark tables of the train devices (never a test device's, and
// never the target's own when the target is one of them). Never accuracy.
struct SearchContext {
  const SearchSpace* space = nullptr;
  const ProxyScores* proxy = nullptr;
  std::vector<const LatencyTable*> train_tables;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Probes cells through `session` for `task` (ProbeSession::TryProbe) and returns when it has
  // nothing better to probe or the session has no probes left (TryProbe answers null).
  // A probe the device refused comes back failed(): it has no latency, the strategy goes on
  // with its next choice (never the same cell again) and reads latencies from measured
  // records only (ProbeSession::measured, Find). The controller, whose walk needs the latency
  // of every cell it visits, ends its search at a failed probe.
  // Deterministic for a given task.seed and device. One Strategy object serves many
  // searches (the benchmark reuses it): each call must be independent of earlier calls.
  virtual void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) = 0;
};

}  // namespace simnas
