// A trained controller, as deployed: the policy network (an MLP, tanh hidden layers, one
// logit per action), the decision-process settings it was trained with, and provenance.
// Evaluated in plain C++ (no LibTorch), so searching needs no torch at all.
//
// File format (`.ctl`, written atomically): the line "SIMNAS-CONTROLLER 1", a u64 length
// and a JSON header {env, observation_size, layers [[in, out], ...], activation,
// provenance, process}, where `process` names the decision process the policy was trained
// for and `env` holds its settings (no `process`: the edit walk, env = EnvConfig, episode.h;
// walk files write none; "picker", or its former name, the name of the space it was trained
// on: PickerEnvConfig, picker_episode.h), a u64 count and that many little-endian float32 weights (per layer: the
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

// The decision processes a model can be trained for: the edit walk over single-position
// changes (episode.h) and the candidate picker (picker_episode.h).
inline constexpr const char* kWalkProcess = "walk";
inline constexpr const char* kPickerProcess = "picker";
// The process a name in a file or on the command line means (a former name, a space's name,
// maps to the picker; an unknown name is returned as it is).
std::string CanonicalDecisionProcess(const std::string& name);
// "the edit-walk decision process" / "the candidate-picker decision process" (for messages).
std::string DecisionProcessTitle(const std::string& process);

struct ControllerModel {
  std::string process = kWalkProcess;
  EnvConfig env;                   // the edit walk's settings (process walk)
  nlohmann::json process_config;   // another process's settings (process picker: PickerEnvConfig)
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
ControllerModel LoadControllerModel(const std::filesystem::path& path, const std::string& process = kWalkProcess);

// <models_dir>/controller/<space>/<name>.ctl (the Environment's models_dir holds the shipped ones:
// the edit walk's "default" for a latency budget and "unconstrained" for the paper's reward,
// the candidate picker's "picker").
std::filesystem::path ControllerModelFile(const std::filesystem::path& models_dir, const std::string& space,
                                          const std::string& name);

}  // namespace simnas
