#include "simnas/strategies/search_runner.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

void CheckNeeds(const Strategy& strategy, const SearchTask& task, const SearchContext& context, const Device& device) {
  const StrategyNeeds needs = strategy.needs();
  const Space& space = context.space();
  const auto refuse = [&](const std::string& why) {
    throw ParseError(fmt::format("strategy {} on the {} space: {}", strategy.name(), space.name(), why));
  };
  if (needs.budget && !task.latency_budget_ms) refuse("needs a latency budget (--budget-ms)");
  if (needs.complete_space && !context.candidates->complete()) {
    refuse(fmt::format("needs every {} of the space as a candidate (its moves reach any of them), and the "
                       "candidates are {}",
                       space.arch_noun(), context.candidates->source()));
  }
  if (needs.full_table && device.FullTable() == nullptr) refuse("needs a device with a complete latency table (reports only)");
  if (needs.accuracy && context.accuracy == nullptr) refuse("needs a measured accuracy, which this space has not");
}

SearchReport RunSearch(Strategy& strategy, Device& device, const SearchTask& task, int probe_budget,
                       const SearchContext& context, ProbeStore* store, const std::string& run_id,
                       const std::function<void()>& on_ready, const ProbeObserver& on_probe) {
  Strategy& variant = strategy.For(context);
  CheckNeeds(variant, task, context, device);
  const auto start = std::chrono::steady_clock::now();
  ProbeSession session(device, *context.candidates, probe_budget, store, run_id);
  if (on_ready) on_ready();
  session.set_observer(on_probe);
  variant.Search(session, task, context);  // returns at the latest when the probes are spent
  session.ThrowIfEveryProbeFailed();
  SearchReport report;
  report.strategy = strategy.name();
  report.device = device.Spec();
  report.run_id = run_id;
  report.task = task;
  report.score_name = context.scores->name();
  report.candidates = context.candidates->source();
  report.candidate_count = context.candidates->size();
  report.probe_budget = probe_budget;
  report.probes_used = session.used();
  report.measured_now = session.measured_now();
  report.failed_probes = session.failures();
  report.stopped_reason = session.stopped_reason();
  report.trajectory = session.history();
  for (const ProbeRecord& r : report.trajectory) {
    report.trajectory_scores.push_back(r.index >= 0 ? (*context.scores)(r.index) : 0.0);
  }
  report.answer = ChooseAnswer(session.measured(), task, *context.scores);
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

nlohmann::json IntervalJson(const Measurement& m) {
  return m.has_interval() ? nlohmann::json::array({m.ci_low_ms, m.ci_high_ms}) : nlohmann::json();
}

nlohmann::json ReportToJson(const SearchReport& report, const CandidateSet& candidates) {
  const auto number = [&](int index) { return index < 0 ? nlohmann::json() : nlohmann::json(candidates.NumberOf(index)); };
  nlohmann::json trajectory = nlohmann::json::array();
  for (std::size_t i = 0; i < report.trajectory.size(); ++i) {
    const ProbeRecord& r = report.trajectory[i];
    nlohmann::json probe = {{"arch", r.arch.ToString()}, {"index", number(r.index)}};
    if (r.failed()) {
      probe["latency_ms"] = nullptr;
      probe["failure"] = r.failure;
    } else {
      probe["latency_ms"] = r.measurement.latency_ms;
      probe["spread"] = r.measurement.spread;
      probe["interval_ms"] = IntervalJson(r.measurement);
    }
    probe["score"] = report.trajectory_scores[i];
    probe["replayed"] = r.replayed;
    trajectory.push_back(std::move(probe));
  }
  nlohmann::json j = {
      {"space", std::string(candidates.space().name())},
      {"strategy", report.strategy},
      {"device", report.device},
      {"run_id", report.run_id},
      {"seed", report.task.seed},
      {"budget_ms", report.task.latency_budget_ms ? nlohmann::json(*report.task.latency_budget_ms) : nlohmann::json()},
      {"score", report.score_name},
      {"candidates", report.candidates},
      {"candidate_count", report.candidate_count},
      {"probe_budget", report.probe_budget},
      {"probes_used", report.probes_used},
      {"measured_now", report.measured_now},
      {"failed_probes", report.failed_probes},
      {"wall_seconds", report.wall_seconds},
      {"trajectory", trajectory},
  };
  if (!report.stopped_reason.empty()) j["stopped"] = report.stopped_reason;
  j["feasible"] = report.answer.found && report.answer.feasible;
  if (report.answer.found) {
    const ProbeRecord& c = report.answer.chosen;
    j["arch"] = c.arch.ToString();
    j["index"] = number(c.index);
    j["latency_ms"] = c.measurement.latency_ms;
    j["spread"] = c.measurement.spread;
    j["interval_ms"] = IntervalJson(c.measurement);
    j["score_value"] = report.answer.score;
  }
  return j;
}

}  // namespace simnas
