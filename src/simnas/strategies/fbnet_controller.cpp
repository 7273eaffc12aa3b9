#include "simnas/strategies/fbnet_controller.h"

#include <fmt/format.h>

#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/core/error.h"

namespace simnas {
namespace {

// Thrown by the oracle when a probe failed: the policy's observation needs the latency of every
// network it probed, so a failed probe ends its search; the answer comes from the measured ones.
struct ProbeFailed {};

class SessionOracle : public FbnetLatencyOracle {
 public:
  SessionOracle(ProbeSession& session, const FbnetNumbering& candidates) : session_(session), candidates_(candidates) {}
  double Probe(int candidate) override {
    const ProbeRecord* r = session_.TryProbe(ToArch(candidates_.At(candidate)));
    if (r == nullptr && !session_.stopped_reason().empty()) throw ProbeFailed{};
    if (r == nullptr) throw Error("FBNet controller: asked for a probe beyond the session's budget");
    if (r->failed()) throw ProbeFailed{};
    return r->measurement.latency_ms;
  }

 private:
  ProbeSession& session_;
  const FbnetNumbering& candidates_;
};

}  // namespace

void FbnetControllerStrategy::Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget_ms,
                                     std::uint64_t seed) {
  if (session.remaining() <= 0) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!model_) {
    if (model_path_.empty()) throw Error("FBNet controller: no model file given (models/controller/fbnet.ctl)");
    model_ = LoadControllerModel(model_path_, kFbnetProcess);
    config_ = FbnetEnvConfigFromJson(model_->process_config);
  }
  Key key{inputs.candidates, inputs.objective->name, inputs.objective->scores, inputs.train_tables,
          &FbnetProxyDeviceTable(inputs)};
  if (!data_ || !(key == key_)) {
    std::vector<const LatencyTable*> tables = inputs.train_tables;
    if (tables.empty()) tables.push_back(key.proxy);
    data_ = std::make_unique<FbnetProcessData>(inputs.candidates->archs(), inputs.objective->scores, tables, *key.proxy,
                                               config_.linear);
    key_ = std::move(key);
  }
  SessionOracle oracle(session, *inputs.candidates);
  try {
    RunFbnetController(*model_, config_, *data_, oracle, budget_ms, session.remaining(), seed, /*greedy=*/true);
  } catch (const ProbeFailed&) {
    // the search ends at a failed probe (see ProbeFailed)
  }
}

}  // namespace simnas
