// One episode of the controller's edit walk (env_config.h) over a space's architectures
// (walk_tables.h: every combination of choices, by code), independent of where latencies come
// from: a synthetic device in training, a ProbeSession on the target at deployment. The same
// code computes observations, masks and rewards in both.
//
// Observation (ObservationSize floats; A = actions = positions x max choices). f(ms) =
// clamp(log(ms / reference), -3, 3) with the reference = the budget (or the first probe's
// latency without one); "best" = the answer rule's architecture among measured ones so far.
//   globals (16): remaining probes, remaining steps, f(current), current feasible, proxy of
//     current, best's score, any best, current is best, f(best), f(fastest measured),
//     f(slowest measured), slope of log latency on log prior over measured architectures (how
//     strongly this device follows the prior), probes used, proxy rank of current and of
//     best, has-budget flag;
//   current architecture (A): one-hot choice per position (position x max choices + choice);
//   per action (A x 8): allowed, proxy change, log prior latency change, predicted
//     f(neighbour) = f(current) + slope x prior change, already measured, its f if so,
//     proxy of the neighbour minus proxy of best, f of the adapted model's prediction (a
//     linear model over the space's default encoding fitted to this episode's measurements by
//     ridge regression toward the prior; it steers, it never answers: answers are measured);
//   history (history x (2A + 3)): the last (state, action) pairs, most recent first: one-hot
//     architecture, f(latency), feasible, proxy, one-hot action.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simnas/controller/env_config.h"
#include "simnas/controller/walk_tables.h"

namespace simnas {

// Where an episode's latencies come from. Called once per distinct architecture.
class LatencyOracle {
 public:
  virtual ~LatencyOracle() = default;
  virtual double Probe(const Arch& arch) = 0;
};

struct ProbedCell {
  int code = 0;
  float latency_ms = 0;
};

class Episode {
 public:
  Episode() = default;
  Episode(const EnvConfig* config, const WalkTables* tables) : config_(config), tables_(tables) {}

  // Starts at the code `start`, measuring it. `budget_ms` is required for the budget reward.
  // `probe_budget` overrides config.probes (0 = unlimited). `lat_min/lat_max`: the device's
  // latency range, used only by the paper reward in training (pass 0, 0 at deployment).
  void Reset(int start, std::optional<double> budget_ms, int probe_budget, LatencyOracle& oracle,
             double lat_min = 0, double lat_max = 0);
  // Applies `action` (must be valid), measuring the new architecture if it was not measured before.
  // Returns the reward.
  float Step(int action, LatencyOracle& oracle);
  bool Done() const;

  // Observation (ObservationSize floats) and action mask (num_actions bytes, 1 = allowed).
  void Observe(float* out) const;
  void Mask(std::uint8_t* out) const;
  // Whether `action` moves the current architecture (a choice of the position other than its own).
  bool Valid(int action) const;

  int current_code() const { return current_; }
  int steps() const { return steps_; }
  int probes_used() const { return static_cast<int>(probed_.size()); }
  int probe_budget() const { return probe_budget_; }
  const std::vector<ProbedCell>& probed() const { return probed_; }
  // Budget reward: best feasible measured code (-1 if none) and its score.
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
  double LatencyOf(int code) const;  // measured (the code must have been probed)
  float LatencyFeature(double ms) const;
  double Score(int code) const;
  void Visit(int code, LatencyOracle& oracle);
  float PaperReward(int code) const;

  const EnvConfig* config_ = nullptr;
  const WalkTables* tables_ = nullptr;
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
  // Running sums for the slope of log(latency) on log(prior) over measured architectures.
  double sx_ = 0, sy_ = 0, sxx_ = 0, sxy_ = 0;
  // The adapted model: weights over the default encoding in units of the reference latency,
  // fitted to the measured architectures by ridge regression toward the prior scaled to the
  // first probe. Recomputed from probed_ (not saved).
  std::vector<double> adapted_;
  void FitAdapted();
  double Adapted(int code) const;
};

}  // namespace simnas
