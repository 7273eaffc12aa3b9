#include "simnas/workspace/search.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/strategies/fbnet_search.h"
#include "simnas/strategies/registry.h"
#include "simnas/strategies/search_runner.h"

namespace simnas {
namespace {

// --space fbnet: an FBNet strategy over HELP's 5,000 networks (strategies/fbnet_search.h).
// The device is asked for after the request's own checks (so that a bad request is reported
// before a device is opened).
using DeviceGetter = std::function<Device&()>;

SearchOutcome SearchFbnet(Workspace& ws, const SearchRequest& request, const DeviceGetter& get_device,
                          const std::string& run_id, const std::function<void(const SearchOutcome&)>& on_ready) {
  std::unique_ptr<FbnetStrategy> strategy =
      MakeFbnetStrategy(request.strategy, FbnetStrategyFiles{ws.Strategies().fbnet_controller_model});
  if (!request.budget_ms) throw ParseError("search --space fbnet needs --budget-ms (FBNet has no unconstrained reward)");
  if (request.dataset != Dataset::kCifar100) {
    throw ParseError(fmt::format("--dataset {}: HELP's FBNet tables are CIFAR-100's", DatasetName(request.dataset)));
  }
  FbnetTables& fbnet = ws.Fbnet();
  Device& device = get_device();
  FbnetSearchInputs inputs;
  inputs.candidates = &fbnet.Numbering();
  const FbnetObjective objective = ws.FbnetObjectiveOf(request.aggregate, request.proxy_table);
  inputs.objective = &objective;
  const LatencyTable* own = device.FullTable();
  for (const std::string& name : FbnetTables::TrainDevices()) {
    if (own != nullptr && own->name() == name) continue;  // leave the target out
    inputs.train_tables.push_back(&fbnet.Table(name));
  }
  SearchOutcome out;
  out.space = &FbnetSpace();
  out.strategy = strategy->name();
  out.device = device.Spec();
  out.live = device.IsLive();
  out.run_id = run_id;
  out.budget_ms = request.budget_ms;
  const FbnetSearchReport report =
      RunFbnetSearch(*strategy, device, inputs, *request.budget_ms, request.probes, request.seed,
                     device.IsLive() ? &ws.Store() : nullptr, run_id, [&] {
                       if (on_ready) on_ready(out);
                     }, request.on_probe);
  out.candidates =
      own != nullptr
          ? fmt::format("the {} networks of HELP's FBNet tables ({} answers only these)", report.candidates,
                        device.Spec())
          : fmt::format("HELP's {} FBNet networks (the device could time any; this strategy probes only these)",
                        report.candidates);
  out.no_accuracy =
      fmt::format("no accuracy reported: FBNet has no accuracy table; the answer is the probed network with the best "
                  "objective ({}, a stand-in, not an accuracy) among those measured within the budget",
                  report.objective);
  out.proxy_device = report.proxy_device;
  out.found = report.answer.found;
  out.feasible = report.answer.feasible;
  out.answer = report.answer.chosen;
  out.probes = report.trajectory;
  out.score_name = report.objective;
  out.scores = report.trajectory_objective;
  out.answer_score = report.answer.objective;
  out.probes_used = report.probes_used;
  out.measured_now = report.measured_now;
  out.wall_seconds = report.wall_seconds;
  const auto index_json = [](int index) { return index < 0 ? nlohmann::json() : nlohmann::json(index); };
  nlohmann::json trajectory = nlohmann::json::array();
  for (std::size_t i = 0; i < report.trajectory.size(); ++i) {
    const ProbeRecord& r = report.trajectory[i];
    nlohmann::json probe = {{"arch", r.arch.ToString()}, {"index", index_json(r.index)}};
    if (r.failed()) {
      probe["latency_ms"] = nullptr;
      probe["failure"] = r.failure;
    } else {
      probe["latency_ms"] = r.measurement.latency_ms;
      probe["spread"] = r.measurement.spread;
      probe["interval_ms"] = IntervalJson(r.measurement);
    }
    probe["objective"] = report.trajectory_objective[i];
    probe["replayed"] = r.replayed;
    trajectory.push_back(std::move(probe));
  }
  out.report = {{"space", "fbnet"},
                {"strategy", report.strategy},
                {"objective", report.objective},
                {"device", report.device},
                {"run_id", report.run_id},
                {"dataset", "cifar100"},
                {"budget_ms", report.budget_ms},
                {"candidates", out.candidates},
                {"proxy_device", report.proxy_device},
                {"probe_budget", report.probe_budget},
                {"probes_used", report.probes_used},
                {"measured_now", report.measured_now},
                {"failed_probes", report.failed_probes},
                {"wall_seconds", report.wall_seconds},
                {"trajectory", trajectory},
                {"feasible", report.answer.feasible},
                {"accuracy", nullptr},
                {"accuracy_unavailable", out.no_accuracy}};
  if (!report.stopped_reason.empty()) out.report["stopped"] = report.stopped_reason;
  out.failed_probes = report.failed_probes;
  out.stopped_reason = report.stopped_reason;
  if (report.answer.found) {
    const ProbeRecord& c = report.answer.chosen;
    out.report["arch"] = c.arch.ToString();
    out.report["index"] = index_json(c.index);
    out.report["latency_ms"] = c.measurement.latency_ms;
    out.report["spread"] = c.measurement.spread;
    out.report["interval_ms"] = IntervalJson(c.measurement);
    out.report["objective_value"] = report.answer.objective;
  }
  return out;
}

SearchOutcome SearchNb201(Workspace& ws, const SearchRequest& request, const DeviceGetter& get_device,
                          const std::string& run_id, const std::function<void(const SearchOutcome&)>& on_ready) {
  SearchTask task;
  task.dataset = request.dataset;
  task.latency_budget_ms = request.budget_ms;
  task.seed = request.seed;
  const std::string strategy_name = request.strategy.empty() ? DefaultStrategyName() : request.strategy;
  std::unique_ptr<Strategy> strategy = MakeStrategy(strategy_name, ws.Strategies());
  BenchmarkData& data = ws.Data();
  const ProxyTable table = LoadProxyTable(ws.ProxyTable(request.proxy_table, task.dataset), task.dataset);
  const ProxyScores proxy(table, ParseProxyAggregateOrDefault(request.aggregate, ws.Env().configs_dir));
  Device& device = get_device();
  const SearchContext context = MakeSearchContext(data, proxy, device);
  SearchOutcome out;
  out.space = &Nb201Space();
  out.strategy = strategy_name;
  out.device = device.Spec();
  out.live = device.IsLive();
  out.run_id = run_id;
  out.budget_ms = request.budget_ms;
  const SearchReport report = RunSearch(*strategy, device, task, request.probes, context,
                                        device.IsLive() ? &ws.Store() : nullptr, run_id, [&] {
                                          if (on_ready) on_ready(out);
                                        }, request.on_probe);
  out.found = report.answer.found;
  out.feasible = report.answer.feasible;
  out.answer = report.answer.chosen;
  out.probes = report.trajectory;
  out.score_name = "proxy";
  for (const ProbeRecord& r : report.trajectory) out.scores.push_back(r.failed() ? 0.0 : proxy(r.index));
  out.failed_probes = report.failed_probes;
  out.stopped_reason = report.stopped_reason;
  out.answer_score = report.answer.proxy;
  out.probes_used = report.probes_used;
  out.measured_now = report.measured_now;
  out.wall_seconds = report.wall_seconds;
  out.report = ReportToJson(report, &data);
  return out;
}

SearchOutcome Run(Workspace& workspace, const SearchRequest& request, const DeviceGetter& get_device,
                  const std::function<void(const SearchOutcome&)>& on_ready) {
  const std::string run_id = request.run_id.empty() ? NewRunId() : request.run_id;
  const Space& space = request.space != nullptr ? *request.space : DefaultSpace();
  return &space == &FbnetSpace() ? SearchFbnet(workspace, request, get_device, run_id, on_ready)
                                            : SearchNb201(workspace, request, get_device, run_id, on_ready);
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
