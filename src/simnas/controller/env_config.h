// The controller's decision process (Sim-is-More, Sec. 3.1, adapted to few real probes).
//
// The walk runs over any space whose candidates are every combination of its choices
// (walk_tables.h). State: the current architecture and its measured latency; the policy also
// sees the last `history` (state, action) pairs (a history-based policy) and what the search
// knows so far. Action: (position, new choice), positions x max choices logits (NAS-Bench-201:
// 6 edges x 5 ops = 30); choosing a position's current choice, or a choice the position does not
// have, is masked out, so every action moves to a neighbour. There is no stop/keep action: the
// answer is the best measured architecture whatever comes after it, so an extra probe never
// hurts the answer and stopping early could only waste probes. Moving to an architecture
// measured before is free (the probe session answers from its cache): that is how the policy
// steps back to its best one ("stay on best") and tries another position from there.
// An episode ends when `probes` distinct architectures have been measured (the same probe
// budget a search has on the target; 0 = no probe limit, the paper's setting) or after
// `horizon` steps.
//
// Latency in the observation is only ever relative to something a real device gives within
// the probe budget: log(latency / budget) with a budget, log(latency / first probe) without
// one. Training and deployment compute observations with the same code (episode.h).
//
// Rewards:
//  - budget (default): maximize the proxy subject to latency <= budget, the budget drawn per
//    episode between the budget_lo-th and budget_hi-th latency percentile of the sampled
//    device. The reward of a step is the improvement of the best feasible proxy score among
//    measured architectures (the value that the answer rule will pick), starting from
//    `infeasible_score` while nothing feasible was measured: an episode's return is exactly
//    (answer's score - score at the start), and finding no feasible architecture costs.
//  - paper: r = p_FreeREA + (1 - l) of the architecture reached, l min-max normalized over the
//    sampled device's whole latency range (known in simulation only; it is a reward, never
//    an observation), T = 50, gamma = 0.6, random start.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

enum class RewardKind { kBudget, kPaper };
enum class StartKind {
  kRandom,     // a uniformly random architecture (paper)
  kBestProxy,  // the architecture with the best proxy score (device-independent)
  kTopK,       // a random architecture among the top_k by proxy score
  kPriorQuantile,  // the best proxy among architectures whose prior latency is at most its start_quantile
};

struct EnvConfig {
  RewardKind reward = RewardKind::kBudget;
  int probes = 10;   // distinct architectures measured per episode; 0 = unlimited
  int horizon = 50;  // steps per episode at most
  int history = 5;   // (state, action) pairs in the observation
  StartKind start = StartKind::kBestProxy;
  int top_k = 100;
  double start_quantile = 0.5;
  double budget_lo = 10;  // budget percentile range of the sampled device
  double budget_hi = 90;
  double infeasible_score = -0.5;  // budget reward: score while nothing feasible is measured
  bool rank_score = false;         // budget reward on the proxy's rank percentile, not its value
  double ridge = 1.0;              // adapted latency model: pull toward the scaled prior
  SyntheticOptions synthetic;      // the training devices

  // The paper's setting: paper reward, no probe limit, T = 50, random start.
  static EnvConfig Paper();
};

std::string_view RewardKindName(RewardKind kind);
std::string_view StartKindName(StartKind kind);
RewardKind ParseRewardKind(std::string_view name);
StartKind ParseStartKind(std::string_view name);

nlohmann::json EnvConfigToJson(const EnvConfig& config);
// Throws DataError naming the bad key.
EnvConfig EnvConfigFromJson(const nlohmann::json& j);

// Observation layout (see episode.h for the meaning of every entry), for a walk of
// `num_actions` actions (positions x max choices; the architecture's one-hot takes as many).
inline constexpr int kGlobalFeatures = 16;
inline constexpr int kActionFeatures = 8;
// Architecture, latency, feasible, proxy, action.
inline int HistoryFeatures(int num_actions) { return 2 * num_actions + 3; }
int ObservationSize(const EnvConfig& config, int num_actions);

}  // namespace simnas
