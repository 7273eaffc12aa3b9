#include "simnas/strategies/controller_strategy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/controller/controller_runner.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"

namespace simnas {
namespace fs = std::filesystem;
namespace {

// Thrown by the oracle when a probe failed: the walk's observation needs the latency of every
// architecture it visited, so a failed probe ends the walk; the answer comes from the measured ones.
struct ProbeFailed {};

// The episode stops by itself when its probe budget (the session's remaining probes) is
// spent, so it never asks the session for a probe it does not have (that would be a bug).
class SessionOracle : public LatencyOracle {
 public:
  explicit SessionOracle(ProbeSession& session) : session_(session) {}
  double Probe(const Arch& arch) override {
    const ProbeRecord* r = session_.TryProbe(arch);
    if (r == nullptr && !session_.stopped_reason().empty()) throw ProbeFailed{};
    if (r == nullptr) throw Error(fmt::format("controller: asked for a probe of {} beyond the session's budget",
                                              arch.ToString()));
    if (r->failed()) throw ProbeFailed{};
    return r->measurement.latency_ms;
  }

 private:
  ProbeSession& session_;
};

}  // namespace

ControllerStrategy::ControllerStrategy(fs::path budget_model, fs::path unconstrained_model, bool greedy)
    : budget_path_(std::move(budget_model)),
      unconstrained_path_(std::move(unconstrained_model)),
      greedy_(greedy) {}

const ControllerModel& ControllerStrategy::Model(bool with_budget) {
  std::optional<ControllerModel>& slot = with_budget ? budget_model_ : unconstrained_model_;
  if (!slot) {
    const fs::path& path = with_budget ? budget_path_ : unconstrained_path_;
    if (!fs::exists(path)) {
      throw DataError(fmt::format("controller model {} does not exist (train one with `simnas train`)", path.string()));
    }
    slot = LoadControllerModel(path);
    const RewardKind want = with_budget ? RewardKind::kBudget : RewardKind::kPaper;
    if (slot->env.reward != want) {
      const std::string msg = fmt::format("controller model {} was trained for the {} reward, not {}", path.string(),
                                          RewardKindName(slot->env.reward), RewardKindName(want));
      slot.reset();
      throw DataError(msg);
    }
  }
  return *slot;
}

const WalkTables& ControllerStrategy::Tables(const SearchContext& context) {
  // Keyed by what the tables are built from, never by an address: a search's candidates and
  // scores may live only as long as its setup, and the next setup may stand at the same address.
  std::string key = fmt::format("{}|{}|{}", context.candidates->source(), context.candidates->size(),
                                context.scores->name());
  for (const LatencyTable* t : context.train_tables) key += "|" + t->name();
  const std::vector<double>& scores = context.scores->values();
  key += '|';
  key += Sha256Hex({reinterpret_cast<const char*>(scores.data()), scores.size() * sizeof(double)});
  auto it = tables_.find(key);
  if (it == tables_.end()) {
    it = tables_.emplace(key, std::make_unique<WalkTables>(WalkTables::Build(*context.candidates, *context.scores,
                                                                             context.train_tables))).first;
  }
  return *it->second;
}

void ControllerStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  const ControllerModel* model = nullptr;
  const WalkTables* tables = nullptr;
  {
    std::lock_guard lock(mutex_);
    model = &Model(task.latency_budget_ms.has_value());
    tables = &Tables(context);
  }
  if (session.remaining() < 1) return;
  SessionOracle oracle(session);
  RunOptions options;
  options.budget_ms = task.latency_budget_ms;
  options.probe_budget = session.remaining();
  options.seed = task.seed;
  options.greedy = greedy_;
  try {
    const Episode episode = RunController(*model, *tables, oracle, options);
    spdlog::debug("controller: {} steps, {} probes", episode.steps(), episode.probes_used());
  } catch (const ProbeFailed&) {
    spdlog::debug("controller: the walk ended at a failed probe");
  }
}

}  // namespace simnas
