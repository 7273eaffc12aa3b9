#include "simnas/bench/evaluation.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/devices/device_spec.h"
#include "simnas/bench/bench_runner.h"

namespace simnas {

namespace {

// A strategy object of the caller's under the label the runs name it by.
class Labelled : public Strategy {
 public:
  Labelled(std::string label, Strategy& inner) : label_(std::move(label)), inner_(&inner) {}
  std::string name() const override { return label_; }
  StrategyNeeds needs() const override { return inner_->needs(); }
  Strategy& For(const SearchContext& context) override { return inner_->For(context); }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override {
    inner_->Search(session, task, context);
  }

 private:
  std::string label_;
  Strategy* inner_;
};

}  // namespace

std::vector<RunRecord> EvaluateRuns(const SpaceData& data, const ScoreTable& scores, const EvalSpec& spec,
                                    const std::vector<NamedStrategy>& strategies, const StrategyResources& resources) {
  for (const NamedStrategy& s : strategies) {
    if (s.strategy == nullptr) (void)MakeStrategy(s.label, resources, data.space());  // unknown names, before any run
  }
  for (const std::string& name : spec.devices) {
    if (!data.DeviceTable(name).Complete()) {
      throw DataError(fmt::format("evaluation needs a complete table; {} is not", name));
    }
  }
  BenchConfig config;
  config.groups.emplace_back();
  BenchGroup& group = config.groups.back();
  group.name = "eval";
  group.space = &data.space();
  group.kind = "percentile";
  group.datasets = {spec.dataset};
  group.percentiles = spec.percentiles;
  group.probes = {spec.probes};
  group.seeds = spec.seeds;
  group.objective = scores.name();
  for (const NamedStrategy& s : strategies) group.strategies.push_back(s.label);
  BenchSpaces spaces;
  spaces.data = [&data](const Space&) -> const SpaceData& { return data; };
  spaces.devices = [&data](const Space&) { return DeviceEnvironment{&data, std::nullopt, {}, {}}; };
  spaces.strategies = [&resources](const Space&) { return resources; };
  spaces.scores = [&scores](const Space&, Dataset, const std::string&) { return scores; };
  spaces.make_strategy = [&strategies](const Space&, const std::string& label) -> std::unique_ptr<Strategy> {
    for (const NamedStrategy& s : strategies) {
      if (s.label == label && s.strategy != nullptr) return std::make_unique<Labelled>(label, *s.strategy);
    }
    return nullptr;
  };
  BenchOptions options;
  options.withheld = spec.exclude_from_context;
  BenchRunner runner(config, spaces, nullptr, options);
  std::vector<RunRecord> runs;
  for (const std::string& device : spec.devices) {
    runner.RunUnit(group, DeviceSpec::Table(device).ToString(), {}, [&runs, &device](const nlohmann::json& m) {
      if (!m.contains("row")) return;
      runs.push_back(RunRecordFromJson(m["row"]));
      runs.back().device = device;
    });
  }
  return runs;
}

std::vector<EvalRow> EvaluateOnTables(const SpaceData& data, const ScoreTable& proxy, const EvalSpec& spec,
                                      const std::vector<NamedStrategy>& strategies) {
  (void)data.RequireAccuracy(spec.dataset);
  const std::vector<RunRecord> runs = EvaluateRuns(data, proxy, spec, strategies);
  // One row per (device, budget, strategy), in run order.
  std::vector<EvalRow> rows;
  std::map<std::string, std::size_t> row_of;
  std::map<std::size_t, std::vector<double>> accs, proxies;
  std::map<std::size_t, double> probes;
  for (const RunRecord& r : runs) {
    const std::string key = r.device + "|" + r.budget_label + "|" + r.strategy;
    auto it = row_of.find(key);
    if (it == row_of.end()) {
      EvalRow row;
      row.device = r.device;
      row.percentile = std::stod(r.budget_label.substr(1));
      row.budget_ms = r.budget_ms.value_or(0);
      row.strategy = r.strategy;
      row.ceiling_accuracy = r.proxy_oracle_index >= 0 ? r.proxy_oracle_accuracy.value_or(0) : 0;
      row.oracle_accuracy = r.oracle_index >= 0 ? r.oracle_accuracy.value_or(0) : 0;
      it = row_of.emplace(key, rows.size()).first;
      rows.push_back(row);
    }
    EvalRow& row = rows[it->second];
    ++row.runs;
    probes[it->second] += r.probes_used;
    if (r.feasible && r.answer) {
      accs[it->second].push_back(r.answer->accuracy.value_or(0));
      proxies[it->second].push_back(r.answer->proxy);
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EvalRow& row = rows[i];
    const std::vector<double>& a = accs[i];
    row.feasible_rate = static_cast<double>(a.size()) / std::max(1, row.runs);
    row.mean_accuracy = a.empty() ? 0 : Mean(a);
    row.std_accuracy = StdDev(a);
    row.mean_proxy = proxies[i].empty() ? 0 : Mean(proxies[i]);
    row.mean_probes = probes[i] / std::max(1, row.runs);
  }
  return rows;
}

nlohmann::json EvalRowsToJson(const std::vector<EvalRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const EvalRow& r : rows) {
    out.push_back({{"device", r.device},
                   {"percentile", r.percentile},
                   {"budget_ms", r.budget_ms},
                   {"strategy", r.strategy},
                   {"runs", r.runs},
                   {"feasible_rate", r.feasible_rate},
                   {"mean_accuracy", r.mean_accuracy},
                   {"std_accuracy", r.std_accuracy},
                   {"mean_proxy", r.mean_proxy},
                   {"mean_probes", r.mean_probes},
                   {"ceiling_accuracy", r.ceiling_accuracy},
                   {"oracle_accuracy", r.oracle_accuracy}});
  }
  return out;
}

std::string EvalRowsToMarkdown(const std::vector<EvalRow>& rows) {
  std::vector<std::string> strategies, devices;
  for (const EvalRow& r : rows) {
    if (std::find(strategies.begin(), strategies.end(), r.strategy) == strategies.end()) strategies.push_back(r.strategy);
    if (std::find(devices.begin(), devices.end(), r.device) == devices.end()) devices.push_back(r.device);
  }
  std::string md = "| device |";
  for (const auto& s : strategies) md += fmt::format(" {} feasible | {} accuracy |", s, s);
  md += " proxy ceiling | oracle |\n|---|";
  for (std::size_t i = 0; i < strategies.size(); ++i) md += "---:|---:|";
  md += "---:|---:|\n";
  auto line = [&](const std::string& label, const std::vector<const EvalRow*>& sel) {
    md += fmt::format("| {} |", label);
    double ceiling = 0, oracle = 0;
    int tasks = 0;
    for (const auto& s : strategies) {
      double feas = 0, acc = 0;
      int n = 0;
      for (const EvalRow* r : sel) {
        if (r->strategy != s) continue;
        feas += r->feasible_rate;
        // Infeasible answers have no accuracy; a row's mean is over its feasible answers.
        acc += r->mean_accuracy;
        ++n;
        if (s == strategies.front()) {
          ceiling += r->ceiling_accuracy;
          oracle += r->oracle_accuracy;
          ++tasks;
        }
      }
      md += fmt::format(" {:.0f}% | {:.2f} |", 100.0 * feas / std::max(1, n), acc / std::max(1, n));
    }
    md += fmt::format(" {:.2f} | {:.2f} |\n", ceiling / std::max(1, tasks), oracle / std::max(1, tasks));
  };
  std::vector<const EvalRow*> all;
  for (const auto& d : devices) {
    std::vector<const EvalRow*> sel;
    for (const EvalRow& r : rows) {
      if (r.device == d) sel.push_back(&r);
    }
    line(d, sel);
  }
  for (const EvalRow& r : rows) all.push_back(&r);
  line("**mean**", all);
  return md;
}

}  // namespace simnas
