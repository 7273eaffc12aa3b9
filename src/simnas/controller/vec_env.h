// What the PPO trainer (ppo_trainer.h) steps: many training episodes of one decision process,
// stepped together (one batch for the policy). NAS-Bench-201's SyntheticVecEnv
// (synthetic_env.h, the edit walk) and PickerVecEnv (picker_episode.h, the candidate picker) implement it.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "simnas/controller/binary_io.h"
#include "simnas/core/error.h"

namespace simnas {

// One finished training episode, for the training log.
struct EpisodeStats {
  double episode_return = 0;
  bool feasible = false;          // budget reward: a measured network met the budget
  int answer_code = -1;           // the answer rule's choice in the process's own numbering (-1: none)
  int answer_index = -1;          // the same as a candidate (an index of the space's tables), for a
                                  // monitor of the answers
  double answer_proxy = 0;        // its score (walk: normalized proxy; picker: the score's rank percentile)
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

// StepSlots with the step both environments take: the slot's episode takes the action, its
// probes answered by `Oracle(slot)`.
template <typename Oracle, typename Slot, typename Finish, typename Reset>
void StepSlotEpisodes(std::vector<Slot>& slots, const int* actions, float* rewards, std::uint8_t* dones,
                      std::vector<EpisodeStats>& finished, Finish finish, Reset reset) {
  StepSlots(
      slots, actions, rewards, dones, finished,
      [](Slot& slot, int action) {
        Oracle oracle(slot);
        return slot.episode.Step(action, oracle);
      },
      finish, reset);
}

// VecEnv::Observe over slots: row i of `obs` (observation_size floats) and of `mask`
// (num_actions) are slot i's episode's Observe and Mask.
template <typename Slot>
void ObserveSlots(const std::vector<Slot>& slots, int observation_size, int num_actions, float* obs,
                  std::uint8_t* mask) {
  for (std::size_t i = 0; i < slots.size(); ++i) {
    slots[i].episode.Observe(obs + i * static_cast<std::size_t>(observation_size));
    slots[i].episode.Mask(mask + i * static_cast<std::size_t>(num_actions));
  }
}

// VecEnv::SaveState over slots: their count and the observation size, then per slot its
// generator's state (`slot.rng`) and what `save(slot, out)` appends (its device, its episode).
template <typename Slot, typename Save>
std::string SaveSlots(const std::vector<Slot>& slots, int observation_size, Save save) {
  std::string out;
  binary::Put<std::uint64_t>(out, slots.size());
  binary::Put<std::int32_t>(out, observation_size);
  for (const Slot& slot : slots) {
    std::ostringstream rng;
    rng << slot.rng;
    binary::PutString(out, rng.str());
    save(slot, out);
  }
  return out;
}

// VecEnv::LoadState of SaveSlots' state: `load(slot, in, end)` reads what `save` wrote. Throws
// DataError when the state is for another number of slots or observation size, a generator's
// state is bad, or bytes are left over.
template <typename Slot, typename Load>
void LoadSlots(std::vector<Slot>& slots, int observation_size, const std::string& state, Load load) {
  const char* in = state.data();
  const char* end = in + state.size();
  const auto n = binary::Get<std::uint64_t>(in, end);
  const auto obs = binary::Get<std::int32_t>(in, end);
  if (n != slots.size() || obs != observation_size) {
    throw DataError(fmt::format("environment state is for {} envs with {} observations, not {} with {}", n, obs,
                                slots.size(), observation_size));
  }
  for (Slot& slot : slots) {
    std::istringstream rng(binary::GetString(in, end));
    rng >> slot.rng;
    if (!rng) throw DataError("environment state: bad random generator state");
    load(slot, in, end);
  }
  if (in != end) throw DataError("environment state has trailing bytes");
}

// Hands the finished episodes over and empties `finished`.
inline std::vector<EpisodeStats> TakeAll(std::vector<EpisodeStats>& finished) {
  std::vector<EpisodeStats> out;
  out.swap(finished);
  return out;
}

}  // namespace simnas
