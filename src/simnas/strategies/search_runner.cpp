#include "simnas/strategies/search_runner.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/data/device_split.h"

namespace simnas {

SearchContext MakeSearchContext(const BenchmarkData& data, const ProxyScores& proxy, const Device& target) {
  SearchContext context;
  context.space = &data.space();
  context.proxy = &proxy;
  const LatencyTable* own = target.FullTable();
  for (const std::string& name : data.TrainDevices()) {
    if (IsTestDevice(name)) continue;
    if (own != nullptr && own->name() == name) continue;  // leave the target out
    context.train_tables.push_back(&data.DeviceTable(name));
  }
  return context;
}

SearchReport RunSearch(Strategy& strategy, Device& device, const SearchTask& task, int probe_budget,
                       const SearchContext& context, ProbeStore* store, const std::string& run_id,
                       const std::function<void()>& on_ready, const ProbeObserver& on_probe) {
  const auto start = std::chrono::steady_clock::now();
  ProbeSession session(device, *context.space, probe_budget, store, run_id);
  if (on_ready) on_ready();
  session.set_observer(on_probe);
  strategy.Search(session, task, context);  // returns at the latest when the probes are spent
  session.ThrowIfEveryProbeFailed();
  SearchReport report;
  report.strategy = strategy.name();
  report.device = device.Spec();
  report.run_id = run_id;
  report.task = task;
  report.probe_budget = probe_budget;
  report.probes_used = session.used();
  report.measured_now = session.measured_now();
  report.failed_probes = session.failures();
  report.stopped_reason = session.stopped_reason();
  report.trajectory = session.history();
  report.answer = ChooseAnswer(session.measured(), task, *context.proxy);
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

namespace {

// Accuracy files are optional for a search (evaluation only), but one that is missing or
// damaged is named in "accuracy_unavailable", never dropped silently.
nlohmann::json Accuracies(const BenchmarkData* data, int index, nlohmann::json& unavailable) {
  nlohmann::json acc = nlohmann::json::object();
  if (data == nullptr) return acc;
  for (Dataset d : kAllDatasets) {
    try {
      acc[std::string(DatasetName(d))] = data->Accuracy(d).test_accuracy.at(static_cast<std::size_t>(index));
    } catch (const DataError& e) {
      unavailable[std::string(DatasetName(d))] = e.what();
    } catch (const std::out_of_range&) {
      unavailable[std::string(DatasetName(d))] = "no accuracy for this index";
    }
  }
  return acc;
}

}  // namespace

nlohmann::json IntervalJson(const Measurement& m) {
  return m.has_interval() ? nlohmann::json::array({m.ci_low_ms, m.ci_high_ms}) : nlohmann::json();
}

nlohmann::json ReportToJson(const SearchReport& report, const BenchmarkData* data) {
  nlohmann::json trajectory = nlohmann::json::array();
  for (const ProbeRecord& r : report.trajectory) {
    nlohmann::json probe = {{"arch", r.arch.ToString()}, {"index", r.index}};
    if (r.failed()) {
      probe["latency_ms"] = nullptr;
      probe["failure"] = r.failure;
    } else {
      probe["latency_ms"] = r.measurement.latency_ms;
      probe["spread"] = r.measurement.spread;
      probe["interval_ms"] = IntervalJson(r.measurement);
    }
    probe["replayed"] = r.replayed;
    trajectory.push_back(std::move(probe));
  }
  nlohmann::json j = {
      {"strategy", report.strategy},
      {"device", report.device},
      {"run_id", report.run_id},
      {"dataset", std::string(DatasetName(report.task.dataset))},
      {"seed", report.task.seed},
      {"budget_ms", report.task.latency_budget_ms ? nlohmann::json(*report.task.latency_budget_ms) : nlohmann::json()},
      {"probe_budget", report.probe_budget},
      {"probes_used", report.probes_used},
      {"measured_now", report.measured_now},
      {"failed_probes", report.failed_probes},
      {"wall_seconds", report.wall_seconds},
      {"trajectory", trajectory},
  };
  if (!report.stopped_reason.empty()) j["stopped"] = report.stopped_reason;
  if (report.answer.found) {
    const ProbeRecord& c = report.answer.chosen;
    j["arch"] = c.arch.ToString();
    j["index"] = c.index;
    j["latency_ms"] = c.measurement.latency_ms;
    j["spread"] = c.measurement.spread;
    j["interval_ms"] = IntervalJson(c.measurement);
    j["proxy"] = report.answer.proxy;
    j["feasible"] = report.answer.feasible;
    nlohmann::json unavailable = nlohmann::json::object();
    j["accuracy"] = Accuracies(data, c.index, unavailable);
    if (!unavailable.empty()) j["accuracy_unavailable"] = unavailable;
  } else {
    j["feasible"] = false;
  }
  return j;
}

}  // namespace simnas
