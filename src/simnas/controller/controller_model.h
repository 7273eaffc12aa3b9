// A trained controller, as deployed: the policy network (an MLP, tanh hidden layers, one
// logit per action), the decision-process settings it was trained with, and provenance.
// Evaluated in plain C++ (no LibTorch), so searching needs no torch at all.
//
// File format (`.ctl`, written atomically): the line "SIMNAS-CONTROLLER 1", a u64 length
// and a JSON header {env, observation_size, layers [[in, out], ...], activation,
// provenance, process}, where `process` names the decision process the policy was trained
// for and `env` holds its settings (no `process`: NAS-Bench-201's, env = EnvConfig; every
// file written before FBNet has none and NAS-Bench-201 files still write none; "fbnet":
// FbnetEnvConfig, fbnet_episode.h), a u64 count and that many little-endian float32 weights (per layer: the
// out x in matrix row-major, then the bias), and a u64 FNV-1a checksum of all that
// precedes it. A file that fails any check is reported as corrupt, with its path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/controller/env_config.h"

namespace simnas {

struct DenseLayer {
  int in = 0;
  int out = 0;
  std::vector<float> weight;  // out x in, row-major
  std::vector<float> bias;    // out
};

// The decision processes a model can be trained for.
inline constexpr const char* kNb201Process = "nb201";
inline constexpr const char* kFbnetProcess = "fbnet";
// "NAS-Bench-201's decision process" / "the FBNet decision process" (for messages).
std::string DecisionProcessTitle(const std::string& process);

struct ControllerModel {
  std::string process = kNb201Process;
  EnvConfig env;                   // NAS-Bench-201's settings (process nb201)
  nlohmann::json process_config;   // another process's settings (process fbnet: FbnetEnvConfig)
  std::vector<DenseLayer> layers;  // tanh after every layer but the last
  nlohmann::json provenance = nlohmann::json::object();

  int observation_size() const { return layers.empty() ? 0 : layers.front().in; }
  int num_actions() const { return layers.empty() ? 0 : layers.back().out; }
  // Action logits (num_actions) for one observation.
  void Logits(const float* observation, float* logits) const;
};

// The action of a policy over `n` logits among the allowed ones (mask 1): the most likely
// (greedy; ties: the first), or drawn from the softmax over the allowed actions with the uniform
// draw `u` in [0, 1) (training and deployment sample the same way). `log_prob`, when given,
// receives the drawn action's log-probability. -1 when no action is allowed.
int ArgmaxAction(const float* logits, const std::uint8_t* mask, int n);
int SampleAction(const float* logits, const std::uint8_t* mask, int n, double u, float* log_prob = nullptr);

void SaveControllerModel(const std::filesystem::path& path, const ControllerModel& model);
// Throws DataError naming the file for a missing, corrupt or incompatible model, or (one line)
// for a model trained for another decision process than `process`.
ControllerModel LoadControllerModel(const std::filesystem::path& path, const std::string& process = kNb201Process);

// <models_dir>/controller/<name>.ctl (the Environment's models_dir holds the shipped ones:
// "default" for a latency budget, "unconstrained" for the paper's reward).
std::filesystem::path ControllerModelFile(const std::filesystem::path& models_dir, const std::string& name);

}  // namespace simnas
