// One episode of the controller's decision process (env_config.h), independent of where
// latencies come from: a synthetic device in training, a ProbeSession on the target at
// deployment. The same code computes observations, masks and rewards in both.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simnas/controller/cell_tables.h"
#include "simnas/controller/env_config.h"

namespace simnas {

// Where an episode's latencies come from. Called once per distinct cell.
class LatencyOracle {
 public:
  virtual ~LatencyOracle() = default;
  virtual double Probe(const Cell& cell) = 0;
};

struct ProbedCell {
  int code = 0;
  float latency_ms = 0;
};

class Episode {
 public:
  Episode() = default;
  Episode(const EnvConfig* config, const CellTables* tables) : config_(config), tables_(tables) {}

  // Starts at `start`, measuring it. `budget_ms` is required for the budget reward.
  // `probe_budget` overrides config.probes (0 = unlimited). `lat_min/lat_max`: the device's
  // latency range, used only by the paper reward in training (pass 0, 0 at deployment).
  void Reset(const Cell& start, std::optional<double> budget_ms, int probe_budget, LatencyOracle& oracle,
             double lat_min = 0, double lat_max = 0);
  // Applies `action` (must be valid), measuring the new cell if it was not measured before.
  // Returns the reward.
  float Step(int action, LatencyOracle& oracle);
  bool Done() const;

  // Observation (ObservationSize floats) and action mask (kNumActions bytes, 1 = allowed).
  void Observe(float* out) const;
  void Mask(std::uint8_t* out) const;
  static bool Valid(int code, int action);

  int current_code() const { return current_; }
  int steps() const { return steps_; }
  int probes_used() const { return static_cast<int>(probed_.size()); }
  int probe_budget() const { return probe_budget_; }
  const std::vector<ProbedCell>& probed() const { return probed_; }
  // Budget reward: best feasible measured cell (-1 if none) and its score.
  int best_code() const { return best_code_; }
  double best_score() const { return best_score_; }
  std::optional<double> budget_ms() const { return budget_; }
  // Sum of rewards so far.
  double episode_return() const { return return_; }

  // Exact state, for checkpoints (the config and tables pointers are not part of it).
  void Save(std::string& out) const;
  void Load(const char*& in, const char* end);

 private:
  struct HistoryEntry {
    int code;
    float latency_feature;
    float feasible;
    float proxy;
    int action;
  };
  const ProbedCell* Find(int code) const;
  double LatencyOf(int code) const;  // measured (the cell must have been probed)
  float LatencyFeature(double ms) const;
  double Score(int code) const;
  void Visit(int code, LatencyOracle& oracle);
  float PaperReward(int code) const;

  const EnvConfig* config_ = nullptr;
  const CellTables* tables_ = nullptr;
  std::optional<double> budget_;
  int probe_budget_ = 0;
  double reference_ms_ = 1;  // budget, or the first probe's latency
  double lat_min_ = 0, lat_max_ = 0;
  int current_ = 0;
  int steps_ = 0;
  std::vector<ProbedCell> probed_;
  std::vector<HistoryEntry> history_;  // oldest first, at most config.history
  int best_code_ = -1;
  double best_score_ = 0;
  double return_ = 0;
  // Running sums for the slope of log(latency) on log(prior) over measured cells.
  double sx_ = 0, sy_ = 0, sxx_ = 0, sxy_ = 0;
};

}  // namespace simnas
