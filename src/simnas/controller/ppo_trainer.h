// PPO meta-training of the controller on synthetic devices (LibTorch, in the torch plugin
// ppo_trainer_torch.cpp; this header is torch-free), generic over the decision process: TrainPolicy steps any VecEnv (vec_env.h);
// TrainController is NAS-Bench-201's (SyntheticVecEnv). Clipped surrogate (epsilon 0.2), GAE, entropy bonus, Adam, all environments
// stepped as one batch through the policy; actions are sampled and advantages computed in
// plain C++ from one seeded generator.
//
// Output folder: checkpoint.ckpt (written atomically every few minutes, on Ctrl-C and at
// the end), train_log.csv (one row per PPO iteration), train_curves.png, controller.ctl
// (the policy, as deployed) and command.txt.
//
// Determinism: the same seed and settings give the same weights, bit for bit, with the same
// number of torch threads (default 1). An interrupted run resumed from its checkpoint
// continues exactly as if it had not stopped: the checkpoint holds the network, Adam's
// state, every environment (device, budget, episode) and the generator.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/env_config.h"
#include "simnas/controller/vec_env.h"
#include "simnas/controller/walk_tables.h"

namespace simnas {

struct PpoConfig {
  std::int64_t total_steps = 500000;  // environment steps
  int num_envs = 64;
  int rollout = 64;      // steps per env between updates (batch = num_envs x rollout)
  int epochs = 3;
  int minibatch = 1024;
  double lr = 1e-3;
  bool anneal_lr = true;
  double gamma = 0.99;
  double gae_lambda = 0.95;
  double clip = 0.2;
  double entropy_coef = 0.01;
  double value_coef = 0.5;
  double max_grad_norm = 0.5;
  int hidden = 128;
  int layers = 2;              // tanh hidden layers of the policy (and of the value network)
  bool shared_trunk = false;   // value head on the policy's hidden layers instead of its own MLP
  int threads = 1;             // torch intra-op threads
};

// Throws ParseError naming the first setting out of range, by its flag ("--gamma -3: must be
// in [0, 1]"): counts >= 1 (--envs, --rollout, --epochs, --minibatch, --hidden, --layers,
// --threads, --steps), --lr in (0, 1], --gamma and --gae-lambda in [0, 1], --entropy, the value
// coefficient and the clip finite >= 0 (clip > 0), the gradient norm bound > 0.
void ValidatePpoConfig(const PpoConfig& config);

// The environment steps a run of `config` trains: PPO updates on whole batches (num_envs x
// rollout steps), so total_steps rounded up to a multiple of the batch.
std::int64_t TrainedSteps(const PpoConfig& config);

nlohmann::json PpoConfigToJson(const PpoConfig& config);
PpoConfig PpoConfigFromJson(const nlohmann::json& j);  // throws DataError

// What the trainer needs of a decision process besides its environment's interface.
struct DecisionProcess {
  std::string name = kWalkProcess;  // recorded in the model file and the checkpoint
  nlohmann::json config;             // its settings (the model's and the checkpoint's "env")
  // The environment for `config` (from a checkpoint when resuming), `num_envs` episodes, seeded.
  std::function<std::unique_ptr<VecEnv>(const nlohmann::json& config, int num_envs, std::uint64_t seed)> make_env;
};

struct PolicyTrainOptions {
  PpoConfig ppo;
  std::uint64_t seed = 0;
  std::filesystem::path out;
  bool resume = false;
  double checkpoint_minutes = 3;
  bool progress = true;        // progress bar on stderr
  bool plot = true;            // train_curves.png at the end
  nlohmann::json provenance;   // recorded in the model file (command, devices, dataset, ...)
  // Measured accuracy by candidate (EpisodeStats::answer_index), for the log only (never seen by
  // the controller); null: none.
  const std::vector<double>* monitor_accuracy = nullptr;
};

struct TrainOptions : PolicyTrainOptions {
  EnvConfig env;
};

struct TrainResult {
  std::int64_t steps = 0;
  double seconds = 0;          // wall time of this process's part of the run
  double steps_per_second = 0;
  std::filesystem::path model;
  double final_mean_return = 0;
};

// Trains (or resumes) a policy for `process` and writes the outputs. Throws Interrupted after
// saving a checkpoint when the user interrupts; DataError naming the checkpoint when it is
// corrupt or from another decision process.
TrainResult TrainPolicy(const PolicyTrainOptions& options, const DecisionProcess& process);

class SyntheticDistribution;
// The edit walk's controller: TrainPolicy on SyntheticVecEnv(options.env) over `tables`.
TrainResult TrainController(const TrainOptions& options, const WalkTables& tables,
                            const SyntheticDistribution& distribution);

// The policy logits of the torch network in a checkpoint, for one observation (a check that
// the exported controller.ctl computes the same function). Throws DataError as above.
std::vector<float> CheckpointPolicyLogits(const std::filesystem::path& checkpoint, const std::vector<float>& observation,
                                          int num_actions);

}  // namespace simnas

// The torch plugin's TrainPolicy and CheckpointPolicyLogits (same contracts).
extern "C" simnas::TrainResult simnas_torch_train_policy(const simnas::PolicyTrainOptions& options,
                                                         const simnas::DecisionProcess& process);
extern "C" std::vector<float> simnas_torch_checkpoint_policy_logits(const std::filesystem::path& checkpoint,
                                                                   const std::vector<float>& observation,
                                                                   int num_actions);
