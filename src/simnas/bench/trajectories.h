// `simnas controller trajectories` (paper Fig. 6): one search per device from the
// same start, on the device's table replayed, budget at a latency percentile of that table; each
// probe as (latency percentile on the device, score). The edit walk's score is the proxy,
// min-max normalized; the candidate picker's, the score's rank percentile among the candidates
// (1 = the best).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "simnas/space/space_data.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/score_table.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

struct TrajectoryPoint {
  std::string arch;
  double latency_ms = 0;
  double latency_percentile = 0;  // share of the device's table at or below latency_ms
  double score = 0;
  bool answer = false;            // the search's (feasible) answer
};

struct DeviceTrajectory {
  std::string device;
  double budget_ms = 0;
  std::vector<TrajectoryPoint> points;  // in probe order
};

// The edit walk's, scored by the proxy min-max normalized: `strategy` on the table `device` of
// `data` (the device removed from its context).
DeviceTrajectory WalkTrajectory(const SpaceData& data, const ScoreTable& proxy, Strategy& strategy,
                                 const std::string& device, Dataset dataset, double percentile, std::uint64_t seed,
                                 int probes);

// Any space, scored by its score's rank percentile among the numbered candidates (1 = the best):
// `strategy` on `data`'s table `device`, the space's train tables but the device's own as its
// context. Throws DataError for a device without a table.
DeviceTrajectory ScoreTrajectory(const SpaceData& data, const ScoreTable& objective, Strategy& strategy,
                                 const std::string& device, double percentile, std::uint64_t seed, int probes);

// The gnuplot data: a header naming the columns (`score_column` the third), then per device a
// "# device NAME budget X ms" line, one "step latency_percentile score latency_ms arch" line per
// probe and two blank lines (one gnuplot index per device).
std::string TrajectoriesDat(const std::vector<DeviceTrajectory>& trajectories, const std::string& score_column);

// Writes `dat` (TrajectoriesDat) atomically and draws it into `png` with gnuplot: one line per
// device, its start marked. Throws as RenderGnuplot when gnuplot fails.
void PlotTrajectories(const std::vector<DeviceTrajectory>& trajectories, const std::string& score_column,
                      const std::string& title, const std::string& ylabel, const std::filesystem::path& dat,
                      const std::filesystem::path& png);

}  // namespace simnas
