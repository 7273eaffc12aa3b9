#include "simnas/workspace/search.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/space/space.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/strategies/search_setup.h"

namespace simnas {
namespace {

// The device is asked for after the request's own checks (so that a bad request is reported
// before a device is opened).
using DeviceGetter = std::function<Device&()>;

// The answer's measured accuracy per dataset of the space (reports only). Accuracy files are
// optional for a search, but one that is missing or damaged is named in `unavailable`.
nlohmann::json Accuracies(Workspace& ws, const Space& space, int number, nlohmann::json& unavailable) {
  nlohmann::json acc = nlohmann::json::object();
  for (Dataset d : space.AccuracyDatasets()) {
    const std::string name(DatasetName(d));
    try {
      const std::vector<double>* values = ws.DataOf(space).Accuracy(d);
      if (values == nullptr || number < 0 || number >= static_cast<int>(values->size())) {
        unavailable[name] = "no accuracy for this index";
      } else {
        acc[name] = (*values)[static_cast<std::size_t>(number)];
      }
    } catch (const DataError& e) {
      unavailable[name] = e.what();
    }
  }
  return acc;
}

SearchOutcome Run(Workspace& ws, const SearchRequest& request, const DeviceGetter& get_device,
                  const std::function<void(const SearchOutcome&)>& on_ready) {
  const std::string run_id = request.run_id.empty() ? NewRunId() : request.run_id;
  const Space& space = request.space != nullptr ? *request.space : DefaultSpace();
  const std::string strategy_name = ResolveStrategyName(request.strategy, space);
  std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name, ws.Strategies(space), space);
  // A missing budget is a bad request: said before any data is read (RunSearch checks the rest).
  if (strategy->needs().budget && !request.budget_ms) {
    throw ParseError(fmt::format("strategy {} on the {} space: needs a latency budget (--budget-ms)", strategy_name,
                                 space.name()));
  }
  const std::vector<Dataset> datasets = space.Datasets();
  if (std::find(datasets.begin(), datasets.end(), request.dataset) == datasets.end()) {
    std::vector<std::string> names;
    for (Dataset d : datasets) names.emplace_back(DatasetName(d));
    throw ParseError(fmt::format("--dataset {}: the {} space's {}s are built for {}", DatasetName(request.dataset),
                                 space.name(), space.arch_noun(), fmt::join(names, ", ")));
  }
  const ScoreTable scores = ws.ScoresOf(space, request.dataset, request.aggregate, request.proxy_table);
  Device& device = get_device();
  const SpaceData& data = ws.DataOf(space);
  const std::vector<double>* accuracy = nullptr;  // reports only (the oracle); optional for a search
  try {
    accuracy = data.Accuracy(request.dataset);
  } catch (const DataError&) {
    accuracy = nullptr;
  }
  const SearchSetup setup(data.Numbering(), device, scores, TrainTablesFor(data, device), accuracy);
  const SearchContext& context = setup.context();
  const CandidateSet& candidates = setup.candidates();

  SearchTask task;
  task.latency_budget_ms = request.budget_ms;
  task.seed = request.seed;
  SearchOutcome out;
  out.space = &space;
  out.strategy = strategy_name;
  out.device = device.Spec();
  out.live = device.IsLive();
  out.run_id = run_id;
  out.budget_ms = request.budget_ms;
  if (!candidates.complete()) {
    out.candidates = device.ReplayedTable() != nullptr
                         ? fmt::format("{} ({} answers only these)", candidates.source(), device.Spec())
                         : fmt::format("{} (the device could time any; this strategy probes only these)",
                                       candidates.source());
    if (!context.train_tables.empty()) out.proxy_device = ProxyDeviceTable(context).name();
  }
  const SearchReport report = RunSearch(*strategy, device, task, request.probes, context,
                                        device.IsLive() ? &ws.Store() : nullptr, run_id, [&] {
                                          if (on_ready) on_ready(out);
                                        }, request.on_probe);
  out.found = report.answer.found;
  out.feasible = report.answer.feasible;
  out.answer = report.answer.chosen;
  out.probes = report.trajectory;
  out.score_name = report.score_name;
  out.scores = report.trajectory_scores;
  out.answer_score = report.answer.score;
  out.probes_used = report.probes_used;
  out.measured_now = report.measured_now;
  out.failed_probes = report.failed_probes;
  out.stopped_reason = report.stopped_reason;
  out.wall_seconds = report.wall_seconds;
  out.report = ReportToJson(report, candidates);
  out.report["strategy"] = strategy_name;
  out.report["dataset"] = std::string(DatasetName(request.dataset));
  if (!out.candidates.empty()) out.report["candidates"] = out.candidates;
  if (!out.proxy_device.empty()) out.report["proxy_device"] = out.proxy_device;
  if (space.AccuracyDatasets().empty()) {
    out.no_accuracy = fmt::format(
        "no accuracy reported: the {} space has no accuracy table; the answer is the probed {} with the best score "
        "({}, a stand-in, not an accuracy) among those measured within the budget",
        space.name(), space.arch_noun(), out.score_name);
    out.report["accuracy"] = nullptr;
    out.report["accuracy_unavailable"] = out.no_accuracy;
  } else if (report.answer.found) {
    nlohmann::json unavailable = nlohmann::json::object();
    const int index = report.answer.chosen.index;
    out.report["accuracy"] =
        Accuracies(ws, space, index < 0 ? -1 : candidates.NumberOf(index), unavailable);
    if (!unavailable.empty()) out.report["accuracy_unavailable"] = unavailable;
  }
  return out;
}

}  // namespace

SearchOutcome RunSearchRequest(Workspace& workspace, const SearchRequest& request, Device& device,
                               const std::function<void(const SearchOutcome&)>& on_ready) {
  return Run(workspace, request, [&]() -> Device& { return device; }, on_ready);
}

SearchOutcome RunSearchRequest(Workspace& workspace, const SearchRequest& request, const std::string& device_spec,
                               const std::function<void(const SearchOutcome&)>& on_ready) {
  std::unique_ptr<Device> device;
  return Run(
      workspace, request,
      [&]() -> Device& {
        device = workspace.OpenDevice(device_spec, request.space != nullptr ? *request.space : DefaultSpace());
        return *device;
      },
      on_ready);
}

}  // namespace simnas
