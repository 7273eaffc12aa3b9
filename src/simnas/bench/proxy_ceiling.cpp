#include "simnas/bench/proxy_ceiling.h"

#include "simnas/bench/bench_config.h"
#include "simnas/strategies/oracle.h"

namespace simnas {

std::vector<CeilingTaskSet> ReportCeilingTaskSets(const SpaceData& data) {
  std::vector<CeilingTaskSet> sets;
  CeilingTaskSet help;
  help.name = "help";
  for (const HelpTask& t : HelpTable4()) {
    help.tasks.push_back({t.device, BudgetLabel(t.budget_ms), t.budget_ms});
    help.latency.push_back(GroundTruth::FromTable(data.DeviceTable(t.device), t.device));
  }
  sets.push_back(std::move(help));
  for (const auto& [name, devices] : {std::pair{std::string("train p25/50/75"), data.TrainDevices()},
                                      std::pair{std::string("test p25/50/75"), data.TestDevices()}}) {
    CeilingTaskSet set;
    set.name = name;
    for (const std::string& device : devices) {
      const GroundTruth gt = GroundTruth::FromTable(data.DeviceTable(device), device);
      for (double p : {25.0, 50.0, 75.0}) {
        set.tasks.push_back({device, PercentileLabel(p), gt.Percentile(p)});
        set.latency.push_back(gt);
      }
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

double MeanCeiling(const CeilingTaskSet& set, const std::vector<double>& score, const std::vector<double>& accuracy) {
  if (set.tasks.empty()) return 0;
  double sum = 0;
  for (std::size_t t = 0; t < set.tasks.size(); ++t) {
    const int best = BestWithinBudget(set.latency[t].values(), score, set.tasks[t].budget_ms);
    if (best >= 0) sum += accuracy[static_cast<std::size_t>(best)];
  }
  return sum / static_cast<double>(set.tasks.size());
}

}  // namespace simnas
