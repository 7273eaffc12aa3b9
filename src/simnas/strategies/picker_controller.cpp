#include "simnas/strategies/picker_controller.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

// Thrown by the oracle when a probe failed: the policy's observation needs the latency of every
// network it probed, so a failed probe ends its search; the answer comes from the measured ones.
struct ProbeFailed {};

class SessionOracle : public PickerLatencyOracle {
 public:
  SessionOracle(ProbeSession& session, const CandidateSet& candidates) : session_(session), candidates_(candidates) {}
  double Probe(int candidate) override {
    const ProbeRecord* r = session_.TryProbe(candidates_.at(candidate));
    if (r == nullptr && !session_.stopped_reason().empty()) throw ProbeFailed{};
    if (r == nullptr) throw Error("controller: asked for a probe beyond the session's budget");
    if (r->failed()) throw ProbeFailed{};
    return r->measurement.latency_ms;
  }

 private:
  ProbeSession& session_;
  const CandidateSet& candidates_;
};

}  // namespace

void PickerControllerStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  if (session.remaining() <= 0) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!model_) {
    if (model_path_.empty()) throw Error("controller-picker: no model file given");
    model_ = LoadControllerModel(model_path_, kPickerProcess);
    config_ = PickerEnvConfigFromJson(model_->process_config);
  }
  Key key{context.candidates, context.scores->name(), context.scores->values(), context.train_tables,
          &ProxyDeviceTable(context)};
  if (!data_ || !(key == key_)) {
    std::vector<const LatencyTable*> tables = context.train_tables;
    if (tables.empty()) tables.push_back(key.proxy);
    data_ = std::make_unique<PickerProcessData>(*context.candidates, context.scores->values(), tables, *key.proxy,
                                               config_.linear);
    key_ = std::move(key);
  }
  SessionOracle oracle(session, *context.candidates);
  try {
    RunPickerController(*model_, config_, *data_, oracle, *task.latency_budget_ms, session.remaining(), task.seed,
                       /*greedy=*/true);
  } catch (const ProbeFailed&) {
    // the search ends at a failed probe (see ProbeFailed)
  }
}

}  // namespace simnas
