// Many training episodes on synthetic devices, stepped together (one batch for the policy).
// Every reset samples a new device from the synthetic distribution, a budget (a percentile
// of that device's latencies, drawn in [budget_lo, budget_hi], estimated on a fixed sample
// of 2,048 architectures) and a start. Finished
// episodes restart at once; their statistics are collected for the training log.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "simnas/controller/episode.h"
#include "simnas/controller/vec_env.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space_data.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

class SyntheticVecEnv : public VecEnv {
 public:
  SyntheticVecEnv(const EnvConfig& config, const WalkTables& tables, const SyntheticDistribution& distribution,
                  int num_envs, std::uint64_t seed);

  int num_envs() const override { return static_cast<int>(slots_.size()); }
  int observation_size() const override { return obs_size_; }
  int num_actions() const override { return tables_->num_actions(); }
  void Observe(float* obs, std::uint8_t* mask) const override;
  void Step(const int* actions, float* rewards, std::uint8_t* dones) override;
  std::vector<EpisodeStats> TakeFinished() override;
  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

 private:
  struct Slot {
    std::mt19937_64 rng;
    SyntheticLut device;
    double budget_percentile = 0;
    Episode episode;
  };
  class SlotOracle;
  void ResetSlot(Slot& slot);
  EpisodeStats Finish(const Slot& slot) const;

  EnvConfig config_;
  const WalkTables* tables_;
  const SyntheticDistribution* distribution_;
  int obs_size_;
  std::vector<Slot> slots_;
  std::vector<EpisodeStats> finished_;
  // Percentiles (budgets, answers' latency percentiles) come from a fixed random sample of
  // codes: exact enough for a drawn budget, and cheaper per reset than every architecture.
  std::vector<int> sample_codes_;
  int prior_quantile_start_ = 0;
  std::vector<double> scratch_;
};

// The size of the fixed sample of codes SyntheticVecEnv uses for percentiles.
inline constexpr int kPercentileSample = 2048;

// What edit-walk training needs besides its options, from train devices only: the
// synthetic-device distribution (fits of the train devices' tables) and the walk's tables
// (proxy and prior latency per architecture, walk_tables.h).
struct TrainingInputs {
  SyntheticDistribution distribution;
  WalkTables tables;
  std::vector<std::string> devices;  // the train devices used
};

// Fits every train device of `data` but those in `exclude` (a held-out device or group) with
// `fit`; `proxy` holds one score per numbered architecture.
TrainingInputs PrepareTrainingInputs(const SpaceData& data, const ScoreTable& proxy,
                                     const std::vector<std::string>& exclude, LutFitKind fit = LutFitKind::kShared);

}  // namespace simnas
