#include "simnas/bench/evaluation.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/devices/device_spec.h"
#include "simnas/devices/table_device.h"
#include "simnas/strategies/oracle.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/strategies/search_setup.h"

namespace simnas {

std::vector<EvalRow> EvaluateOnTables(const BenchmarkData& data, const ScoreTable& proxy, const EvalSpec& spec,
                                      const std::vector<NamedStrategy>& strategies) {
  const std::vector<double>& accuracy = data.Accuracy(spec.dataset).test_accuracy;
  std::vector<EvalRow> rows;
  for (const std::string& name : spec.devices) {
    const LatencyTable& table = data.DeviceTable(name);
    if (!table.Complete()) throw DataError(fmt::format("evaluation needs a complete table; {} is not", name));
    TableDevice device(DeviceSpec::Table(name).ToString(), table, data.space());
    std::vector<const LatencyTable*> train_tables = TrainTablesFor(data.space_data(), device);
    std::erase_if(train_tables, [&](const LatencyTable* t) {
      return std::find(spec.exclude_from_context.begin(), spec.exclude_from_context.end(), t->name()) !=
             spec.exclude_from_context.end();
    });
    const SearchSetup setup(data.space_data().Numbering(), device, proxy, train_tables,
                            data.space_data().Accuracy(spec.dataset));
    const SearchContext& context = setup.context();
    for (double q : spec.percentiles) {
      const double budget = Percentile(table.values(), q);
      // Ceiling and oracle with exact latencies (one tie-break, strategies/oracle.h).
      const int best_proxy = ProxyCeilingIndex(table.values(), proxy, budget);
      const int best_acc = OracleIndex(table.values(), accuracy, budget);
      for (const NamedStrategy& s : strategies) {
        EvalRow row;
        row.device = name;
        row.percentile = q;
        row.budget_ms = budget;
        row.strategy = s.label;
        row.ceiling_accuracy = best_proxy >= 0 ? accuracy[static_cast<std::size_t>(best_proxy)] : 0;
        row.oracle_accuracy = best_acc >= 0 ? accuracy[static_cast<std::size_t>(best_acc)] : 0;
        std::vector<double> accs, proxies;
        double probes = 0;
        for (int seed = 0; seed < spec.seeds; ++seed) {
          SearchTask task;
          task.latency_budget_ms = budget;
          task.seed = static_cast<std::uint64_t>(seed);
          const SearchReport report = RunSearch(*s.strategy, device, task, spec.probes, context, nullptr, "");
          ++row.runs;
          probes += report.probes_used;
          if (report.answer.feasible) {
            accs.push_back(accuracy[static_cast<std::size_t>(report.answer.chosen.index)]);
            proxies.push_back(report.answer.score);
          }
        }
        row.feasible_rate = static_cast<double>(accs.size()) / std::max(1, row.runs);
        row.mean_accuracy = accs.empty() ? 0 : Mean(accs);
        row.std_accuracy = StdDev(accs);
        row.mean_proxy = proxies.empty() ? 0 : Mean(proxies);
        row.mean_probes = probes / std::max(1, row.runs);
        rows.push_back(row);
      }
    }
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
