// Search strategies: ways to decide which architectures to measure on the target device, for
// any search space.
//
// Every strategy runs behind this one interface, works on candidate indices (positions in the
// context's CandidateSet) and index-aligned vectors (scores, train-device latencies), and sees
// latencies only through the ProbeSession it is given (which counts the probe budget). A
// strategy only decides what to probe; the answer is then chosen from the probed candidates by
// ChooseAnswer (answer.h), the same rule for every strategy, so every answer's latency was
// measured. A strategy declares what it needs of the space and the task (StrategyNeeds) and is
// refused in one line where that is missing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/latency_table.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/candidates.h"
#include "simnas/space/score_table.h"

namespace simnas {

struct SearchTask {
  // Latency constraint; without one the objective is the paper's unconstrained reward.
  std::optional<double> latency_budget_ms;
  std::uint64_t seed = 0;
};

// What a strategy may know besides the probes: the candidates, one score per candidate, and the
// train devices' latencies of the candidates (never a test device's, and never the target's own
// when the target is one of them). Never accuracy, except `accuracy` for the report-only oracle.
struct SearchContext {
  const CandidateSet* candidates = nullptr;
  const ScoreTable* scores = nullptr;
  // Aligned with the candidates (value i = candidate i); complete for every candidate.
  std::vector<const LatencyTable*> train_tables;
  // The proxy device among train_tables when already chosen (a benchmark chooses it once per
  // target); null: the one with the best mean SRCC to the others (ProxyDeviceTable).
  const LatencyTable* proxy = nullptr;
  // Reports only (`oracle`): measured accuracy per candidate, when the space has one.
  const std::vector<double>* accuracy = nullptr;

  const Space& space() const { return candidates->space(); }
};

// What a strategy needs; RunSearch refuses a search that lacks it, in one line.
struct StrategyNeeds {
  bool complete_space = false;  // moves: every architecture a move reaches is a candidate with a score
  bool budget = false;          // a latency budget (no unconstrained reward)
  bool full_table = false;      // the device's complete table (report-only oracles)
  bool accuracy = false;        // measured accuracy (the report-only oracle)
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  virtual StrategyNeeds needs() const { return {}; }
  // The strategy that runs on `context`: this one, or, for a name that stands for one variant
  // per kind of candidate set (`one-proxy`, `controller`: the whole space or a sample), the
  // variant for those candidates. RunSearch checks the needs of, and runs, that one.
  virtual Strategy& For(const SearchContext& /*context*/) { return *this; }
  // Probes candidates through `session` for `task` (ProbeSession::TryProbe) and returns when it
  // has nothing better to probe or the session has no probes left (TryProbe answers null). A
  // probe the device refused comes back failed() and costs its probe; the strategy goes on
  // with its next choice. Deterministic for a given task.seed and device. One Strategy object
  // serves many searches (the benchmark reuses it): each call must be independent of earlier
  // calls (a cache keyed by its inputs is fine).
  virtual void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) = 0;
};

// The proxy device of `context`: context.proxy, else the train table with the best mean SRCC to
// the others (the only one when there is one). Throws Error when there is none.
const LatencyTable& ProxyDeviceTable(const SearchContext& context);

}  // namespace simnas
