// What the PPO trainer (ppo_trainer.h) steps: many training episodes of one decision process,
// stepped together (one batch for the policy). NAS-Bench-201's SyntheticVecEnv
// (synthetic_env.h) and FBNet's FbnetVecEnv (fbnet_episode.h) implement it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace simnas {

// One finished training episode, for the training log.
struct EpisodeStats {
  double episode_return = 0;
  bool feasible = false;          // budget reward: a measured network met the budget
  int answer_code = -1;           // the answer rule's choice in the process's own numbering (-1: none)
  int answer_index = -1;          // the same as an index of the space's table (NB201: NATS-Bench index;
                                  // FBNet: HELP's candidate), for a monitor of the answers
  double answer_proxy = 0;        // its score (NB201: normalized proxy; FBNet: objective rank percentile)
  double answer_percentile = 0;   // its latency percentile on the sampled device, [0, 1]
  double budget_percentile = 0;   // the budget's percentile (budget reward)
  int probes = 0;
  int steps = 0;
};

class VecEnv {
 public:
  virtual ~VecEnv() = default;
  virtual int num_envs() const = 0;
  virtual int observation_size() const = 0;
  virtual int num_actions() const = 0;
  // obs: num_envs x observation_size; mask: num_envs x num_actions (1 = allowed).
  virtual void Observe(float* obs, std::uint8_t* mask) const = 0;
  // Applies one action per env; rewards and dones (1 = the episode ended with this step; the
  // env has already restarted). Finished episodes go to TakeFinished().
  virtual void Step(const int* actions, float* rewards, std::uint8_t* dones) = 0;
  virtual std::vector<EpisodeStats> TakeFinished() = 0;
  // Exact state (devices, episodes, random generators) for checkpoints.
  virtual std::string SaveState() const = 0;
  // Throws DataError when the state does not fit this env (other settings or size).
  virtual void LoadState(const std::string& state) = 0;
};

// The slot loop both environments share: applies one action per slot (`step(slot, action)`
// returns the reward), and a slot whose episode is then done goes to `finished` (`finish(slot)`)
// and restarts (`reset(slot)`).
template <typename Slot, typename Step, typename Finish, typename Reset>
void StepSlots(std::vector<Slot>& slots, const int* actions, float* rewards, std::uint8_t* dones,
               std::vector<EpisodeStats>& finished, Step step, Finish finish, Reset reset) {
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Slot& slot = slots[i];
    rewards[i] = step(slot, actions[i]);
    dones[i] = slot.episode.Done() ? 1 : 0;
    if (dones[i]) {
      finished.push_back(finish(slot));
      reset(slot);
    }
  }
}

// Hands the finished episodes over and empties `finished`.
inline std::vector<EpisodeStats> TakeAll(std::vector<EpisodeStats>& finished) {
  std::vector<EpisodeStats> out;
  out.swap(finished);
  return out;
}

}  // namespace simnas
