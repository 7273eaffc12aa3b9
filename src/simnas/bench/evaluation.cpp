#include "simnas/bench/evaluation.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
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

std::vector<std::string> DeviceListOf(const SpaceData& data, const std::string& text) {
  if (Trim(text) == "train") return data.TrainDevices();
  if (Trim(text) == "test") return data.TestDevices();
  std::vector<std::string> out;
  for (const std::string& d : Split(text, ',')) {
    if (Trim(d).empty()) continue;
    out.emplace_back(Trim(d));
    data.DeviceTable(out.back());  // a name without a table fails here, naming the known ones
  }
  return out;
}

std::vector<ScoreEvalRow> SummarizeScoreEval(const std::vector<RunRecord>& runs) {
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const RunRecord*>> by;
  std::vector<const RunRecord*> all;
  for (const RunRecord& r : runs) {
    const auto key = std::make_pair(r.device, r.budget_label);
    if (by.find(key) == by.end()) order.push_back(key);
    by[key].push_back(&r);
    all.push_back(&r);
  }
  std::vector<ScoreEvalRow> rows;
  for (const auto& key : order) {
    const RunRecord& first = *by[key].front();
    for (const ScoreSummary& s : SummarizeScores(by[key])) {
      ScoreEvalRow row;
      row.device = key.first;
      row.budget_label = key.second;
      row.budget_ms = first.budget_ms.value_or(0);
      row.feasible_candidates = first.score ? first.score->feasible_candidates : 0;
      row.summary = s;
      rows.push_back(row);
    }
  }
  for (const ScoreSummary& s : SummarizeScores(all)) {
    ScoreEvalRow row;
    row.device = "all";
    row.budget_label = "all";
    row.summary = s;
    rows.push_back(row);
  }
  return rows;
}

namespace {

std::string ScoredBy(const std::string& objective, const std::string& space) {
  return fmt::format("{}: answers are scored by proxy regret, the best {} among the table's networks within the budget "
                     "minus the answer's (0 = the best; feasible answers only); rank share = share of those networks "
                     "with a strictly better {} (0 = the best); violations = no probed network within the budget",
                     space, objective, objective);
}

}  // namespace

nlohmann::json ScoreEvalRowsToJson(const std::vector<ScoreEvalRow>& rows, const std::string& objective,
                                   const std::string& space) {
  nlohmann::json out = {{"objective", objective}, {"scored_by", ScoredBy(objective, space)}, {"accuracy", nullptr}};
  nlohmann::json list = nlohmann::json::array();
  for (const ScoreEvalRow& r : rows) {
    const ScoreSummary& s = r.summary;
    list.push_back({{"device", r.device},
                    {"budget", r.budget_label},
                    {"budget_ms", r.budget_ms},
                    {"feasible_candidates", r.feasible_candidates},
                    {"strategy", s.strategy},
                    {"runs", s.runs},
                    {"violations", s.violations},
                    {"objective_mean", s.objective_mean},
                    {"best_mean", s.best_mean},
                    {"regret_mean", s.regret_mean},
                    {"rank_share_mean", s.rank_share_mean},
                    {"probes_mean", s.probes_mean}});
  }
  out["rows"] = list;
  return out;
}

std::string ScoreEvalRowsToMarkdown(const std::vector<ScoreEvalRow>& rows, const std::string& objective,
                                    const std::string& space) {
  std::string md = ScoredBy(objective, space) + ".\n\n";
  md += "| device | budget | ms | feasible networks | strategy | runs | violations | score | proxy regret | rank share | "
        "probes |\n";
  md += "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n";
  for (const ScoreEvalRow& r : rows) {
    const ScoreSummary& s = r.summary;
    const bool all = r.device == "all";
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.1f} |\n",
                      all ? "**all**" : r.device, r.budget_label, all ? "" : fmt::format("{:.4g}", r.budget_ms),
                      all ? "" : std::to_string(r.feasible_candidates), s.strategy, s.runs, s.violations,
                      s.objective_mean, s.regret_mean, s.rank_share_mean, s.probes_mean);
  }
  return md;
}

}  // namespace simnas
