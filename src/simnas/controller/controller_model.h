// A trained controller, as deployed: the policy network (an MLP, tanh hidden layers, one
// logit per action), the decision-process settings it was trained with, and provenance.
// Evaluated in plain C++ (no LibTorch), so searching needs no torch at all.
//
// File format (`.ctl`, written atomically): the line "SIMNAS-CONTROLLER 1", a u64 length
// and a JSON header {env, observation_size, layers [[in, out], ...], activation,
// provenance}, a u64 count and that many little-endian float32 weights (per layer: the
// out x in matrix row-major, then the bias), and a u64 FNV-1a checksum of all that
// precedes it. A file that fails any check is reported as corrupt, with its path.
#pragma once

#include <filesystem>
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

struct ControllerModel {
  EnvConfig env;
  std::vector<DenseLayer> layers;  // tanh after every layer but the last
  nlohmann::json provenance = nlohmann::json::object();

  int observation_size() const { return layers.empty() ? 0 : layers.front().in; }
  // Action logits (kNumActions) for one observation.
  void Logits(const float* observation, float* logits) const;
};

void SaveControllerModel(const std::filesystem::path& path, const ControllerModel& model);
// Throws DataError naming the file for a missing, corrupt or incompatible model.
ControllerModel LoadControllerModel(const std::filesystem::path& path);

// <models_dir>/controller/<name>.ctl (the Environment's models_dir holds the shipped ones:
// "default" for a latency budget, "unconstrained" for the paper's reward).
std::filesystem::path ControllerModelFile(const std::filesystem::path& models_dir, const std::string& name);

}  // namespace simnas
