// The torch-free side of ppo_trainer.h: the settings' JSON form, NAS-Bench-201's controller,
// and the entry points of the torch plugin (ppo_trainer_torch.cpp).
#include "simnas/controller/ppo_trainer.h"

#include <cmath>

#include <fmt/format.h>

#include "simnas/controller/synthetic_env.h"
#include "simnas/core/error.h"
#include "simnas/core/plugin.h"

namespace simnas {

nlohmann::json PpoConfigToJson(const PpoConfig& c) {
  return {{"total_steps", c.total_steps}, {"num_envs", c.num_envs},       {"rollout", c.rollout},
          {"epochs", c.epochs},           {"minibatch", c.minibatch},     {"lr", c.lr},
          {"anneal_lr", c.anneal_lr},     {"gamma", c.gamma},             {"gae_lambda", c.gae_lambda},
          {"clip", c.clip},               {"entropy_coef", c.entropy_coef}, {"value_coef", c.value_coef},
          {"max_grad_norm", c.max_grad_norm}, {"hidden", c.hidden},       {"layers", c.layers},
          {"shared_trunk", c.shared_trunk}, {"threads", c.threads}};
}

PpoConfig PpoConfigFromJson(const nlohmann::json& j) {
  PpoConfig c;
  try {
    j.at("total_steps").get_to(c.total_steps);
    j.at("num_envs").get_to(c.num_envs);
    j.at("rollout").get_to(c.rollout);
    j.at("epochs").get_to(c.epochs);
    j.at("minibatch").get_to(c.minibatch);
    j.at("lr").get_to(c.lr);
    j.at("anneal_lr").get_to(c.anneal_lr);
    j.at("gamma").get_to(c.gamma);
    j.at("gae_lambda").get_to(c.gae_lambda);
    j.at("clip").get_to(c.clip);
    j.at("entropy_coef").get_to(c.entropy_coef);
    j.at("value_coef").get_to(c.value_coef);
    j.at("max_grad_norm").get_to(c.max_grad_norm);
    j.at("hidden").get_to(c.hidden);
    j.at("layers").get_to(c.layers);
    j.at("shared_trunk").get_to(c.shared_trunk);
    j.at("threads").get_to(c.threads);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("PPO settings: {}", e.what()));
  }
  return c;
}

void ValidatePpoConfig(const PpoConfig& c) {
  const auto count = [](const char* flag, std::int64_t v) {
    if (v < 1) throw ParseError(fmt::format("{} {}: must be at least 1", flag, v));
  };
  count("--steps", c.total_steps);
  count("--envs", c.num_envs);
  count("--rollout", c.rollout);
  count("--epochs", c.epochs);
  count("--minibatch", c.minibatch);
  count("--hidden", c.hidden);
  count("--layers", c.layers);
  count("--threads", c.threads);
  const auto within = [](const char* flag, double v, double lo, double hi, bool open_lo) {
    if (!std::isfinite(v) || v < lo || v > hi || (open_lo && v == lo)) {
      throw ParseError(fmt::format("{} {}: must be in {}{:g}, {:g}]", flag, v, open_lo ? "(" : "[", lo, hi));
    }
  };
  within("--lr", c.lr, 0, 1, true);
  within("--gamma", c.gamma, 0, 1, false);
  within("--gae-lambda", c.gae_lambda, 0, 1, false);
  within("--entropy", c.entropy_coef, 0, 1e6, false);
  within("PPO clip", c.clip, 0, 1e6, true);
  within("PPO value coefficient", c.value_coef, 0, 1e6, false);
  within("PPO gradient norm bound", c.max_grad_norm, 0, 1e6, true);
}

std::int64_t TrainedSteps(const PpoConfig& c) {
  const std::int64_t batch = static_cast<std::int64_t>(c.num_envs) * c.rollout;
  return (c.total_steps + batch - 1) / batch * batch;
}

TrainResult TrainPolicy(const PolicyTrainOptions& options, const DecisionProcess& process) {
  return SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_train_policy)(options, process);
}

std::vector<float> CheckpointPolicyLogits(const std::filesystem::path& checkpoint, const std::vector<float>& observation,
                                          int num_actions) {
  return SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_checkpoint_policy_logits)(checkpoint, observation, num_actions);
}

TrainResult TrainController(const TrainOptions& options, const WalkTables& tables,
                            const SyntheticDistribution& distribution) {
  DecisionProcess process;
  process.name = kWalkProcess;
  process.config = EnvConfigToJson(options.env);
  process.make_env = [&](const nlohmann::json& config, int num_envs, std::uint64_t seed) -> std::unique_ptr<VecEnv> {
    return std::make_unique<SyntheticVecEnv>(EnvConfigFromJson(config), tables, distribution, num_envs, seed);
  };
  return TrainPolicy(options, process);
}

}  // namespace simnas
