#include "simnas/bench/trajectories.h"

#include <algorithm>

#include <fmt/format.h>

#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/devices/device_spec.h"
#include "simnas/devices/table_device.h"
#include "simnas/strategies/search_runner.h"
#include "simnas/strategies/search_setup.h"

namespace simnas {

namespace {

std::vector<double> Sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

DeviceTrajectory WalkTrajectory(const SpaceData& data, const ScoreTable& proxy, Strategy& strategy,
                                 const std::string& device, Dataset dataset, double percentile, std::uint64_t seed,
                                 int probes) {
  const LatencyTable& lt = data.DeviceTable(device);
  TableDevice replayed(DeviceSpec::Table(device).ToString(), lt, data.Numbering());
  const SearchSetup setup(data, replayed, proxy, dataset);
  const SearchContext& context = setup.context();
  SearchTask task;
  task.latency_budget_ms = Percentile(lt.values(), percentile);
  task.seed = seed;
  const SearchReport report = RunSearch(strategy, replayed, task, probes, context, nullptr, "");
  const std::vector<double> sorted = Sorted(lt.values());
  DeviceTrajectory out;
  out.device = device;
  out.budget_ms = *task.latency_budget_ms;
  for (const ProbeRecord& r : report.trajectory) {
    out.points.push_back({r.arch.ToString(), r.measurement.latency_ms, PercentileRank(sorted, r.measurement.latency_ms),
                          proxy.Normalized(r.index),
                          report.answer.feasible && r.index == report.answer.chosen.index});
  }
  return out;
}

DeviceTrajectory ScoreTrajectory(const SpaceData& data, const ScoreTable& objective, Strategy& strategy,
                                 const std::string& device, double percentile, std::uint64_t seed, int probes) {
  const LatencyTable& lt = data.DeviceTable(device);
  TableDevice replayed(DeviceSpec::Table(device).ToString(), lt, data.Numbering());
  SearchContext context;
  context.candidates = &data.Numbering();
  context.scores = &objective;
  for (const std::string& train : data.TrainDevices()) {
    if (train != device) context.train_tables.push_back(&data.DeviceTable(train));  // the target's own withheld
  }
  const double budget = Percentile(lt.values(), percentile);
  const SearchReport report = RunSearch(strategy, replayed, SearchTask{budget, seed}, probes, context, nullptr, "");
  const std::vector<double> latencies = Sorted(lt.values());
  const std::vector<double> scores = Sorted(objective.values());
  DeviceTrajectory out;
  out.device = device;
  out.budget_ms = budget;
  for (const ProbeRecord& r : report.trajectory) {
    out.points.push_back({r.arch.ToString(), r.measurement.latency_ms,
                          PercentileRank(latencies, r.measurement.latency_ms), PercentileRank(scores, objective(r.index)),
                          report.answer.feasible && r.index == report.answer.chosen.index});
  }
  return out;
}

std::string TrajectoriesDat(const std::vector<DeviceTrajectory>& trajectories, const std::string& score_column) {
  std::string text = fmt::format("# per device: step latency_percentile {} latency_ms arch\n", score_column);
  for (const DeviceTrajectory& t : trajectories) {
    text += fmt::format("# device {} budget {:.4g} ms\n", t.device, t.budget_ms);
    int step = 0;
    for (const TrajectoryPoint& p : t.points) {
      text += fmt::format("{} {:.4f} {:.4f} {:.5g} {}\n", step++, p.latency_percentile, p.score, p.latency_ms, p.arch);
    }
    text += "\n\n";
  }
  return text;
}

void PlotTrajectories(const std::vector<DeviceTrajectory>& trajectories, const std::string& score_column,
                      const std::string& title, const std::string& ylabel, const std::filesystem::path& dat,
                      const std::filesystem::path& png) {
  WriteFileAtomically(dat, TrajectoriesDat(trajectories, score_column));
  std::string plot;
  for (std::size_t i = 0; i < trajectories.size(); ++i) {
    plot += fmt::format("{}{} index {} using 2:3 with linespoints lw 2 pt 7 ps 0.8 title {}", i ? ", " : "",
                        GnuplotQuote(dat.string()), i, GnuplotQuote(trajectories[i].device));
  }
  // The start (star) of every trajectory.
  for (std::size_t i = 0; i < trajectories.size(); ++i) {
    plot += fmt::format(", {} index {} every ::0::0 using 2:3 with points pt 3 ps 3 lc rgb 'orange' notitle",
                        GnuplotQuote(dat.string()), i);
  }
  const std::string script =
      fmt::format("set title {}\nset xlabel 'latency percentile on the device'\nset ylabel {}\n"
                  "set grid\nset key outside right\nset xrange [0:1]\nplot {}\n",
                  GnuplotQuote(title), GnuplotQuote(ylabel), plot);
  RenderGnuplot(script, png, 1000, 600);
}

}  // namespace simnas
