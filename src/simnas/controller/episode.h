// One episode of the controller's decision process (env_config.h), independent of where
// latencies come from: a synthetic device in training, a ProbeSession on the target at
// deployment. The same code computes observations, masks and rewards in both.
//
// Observation (ObservationSize floats). f(ms) = clamp(log(ms / reference), -3, 3) with the
// reference = the budget (or the first probe's latency without one); "best" = the answer
// rule's cell among measured ones so far.
//   globals (16): remaining probes, remaining steps, f(current), current feasible, proxy of
//     current, best's score, any best, current is best, f(best), f(fastest measured),
//     f(slowest measured), slope of log latency on log prior over measured cells (how
//     strongly this device follows the prior), probes used, proxy rank of current and of
//     best, has-budget flag;
//   current cell (30): one-hot op per edge;
//   per action (30 x 8): allowed, proxy change, log prior latency change, predicted
//     f(neighbour) = f(current) + slope x prior change, already measured, its f if so,
//     proxy of the neighbour minus proxy of best, f of the adapted lookup table's
//     prediction (an op table fitted to this episode's measurements by ridge regression
//     toward the prior; it steers, it never answers: answers are measured cells);
//   history (5 x 63): the last (state, action) pairs, most recent first: one-hot cell,
//     f(latency), feasible, proxy, one-hot action.
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
  // The adapted lookup table: [fixed, skip, conv1x1, conv3x3, avgpool] in units of the
  // reference latency, fitted to the measured cells by ridge regression toward the prior
  // scaled to the first probe. Recomputed from probed_ (not saved).
  std::array<double, kNumOps> adapted_{};
  void FitAdapted();
  double Adapted(int code) const;
};

}  // namespace simnas
