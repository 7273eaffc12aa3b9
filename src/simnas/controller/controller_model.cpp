#include "simnas/controller/controller_model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "simnas/controller/binary_io.h"
#include "simnas/controller/picker_episode.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/space/registry.h"

namespace simnas {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "SIMNAS-CONTROLLER 1\n";

}  // namespace

std::string CanonicalDecisionProcess(const std::string& name) {
  // Files written before the picker was generic name its process after the space it ran on.
  for (const Space* space : Spaces()) {
    if (space->name() == name) return kPickerProcess;
  }
  return name;
}

std::string DecisionProcessTitle(const std::string& process) {
  if (process == kWalkProcess) return "the edit-walk decision process";
  if (process == kPickerProcess) return "the candidate-picker decision process";
  return fmt::format("decision process '{}'", process);
}

int ArgmaxAction(const float* logits, const std::uint8_t* mask, int n) {
  float mx = -1e30f;
  int argmax = -1;
  for (int a = 0; a < n; ++a) {
    if (mask[a] && logits[a] > mx) {
      mx = logits[a];
      argmax = a;
    }
  }
  return argmax;
}

int SampleAction(const float* logits, const std::uint8_t* mask, int n, double u, float* log_prob) {
  float mx = -1e30f;
  for (int a = 0; a < n; ++a) {
    if (mask[a]) mx = std::max(mx, logits[a]);
  }
  thread_local std::vector<double> p;
  p.assign(static_cast<std::size_t>(n), 0.0);
  double sum = 0;
  for (int a = 0; a < n; ++a) {
    p[static_cast<std::size_t>(a)] = mask[a] ? std::exp(static_cast<double>(logits[a] - mx)) : 0.0;
    sum += p[static_cast<std::size_t>(a)];
  }
  double r = u * sum;
  int chosen = -1;
  for (int a = 0; a < n; ++a) {
    if (!mask[a]) continue;
    chosen = a;
    r -= p[static_cast<std::size_t>(a)];
    if (r <= 0) break;
  }
  if (log_prob != nullptr && chosen >= 0) {
    *log_prob = static_cast<float>(static_cast<double>(logits[chosen] - mx) - std::log(sum));
  }
  return chosen;
}

void ControllerModel::Logits(const float* observation, float* logits) const {
  thread_local std::vector<float> a, b;
  a.assign(observation, observation + observation_size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseLayer& layer = layers[l];
    const bool last = l + 1 == layers.size();
    b.resize(static_cast<std::size_t>(layer.out));
    for (int o = 0; o < layer.out; ++o) {
      const float* w = layer.weight.data() + static_cast<std::size_t>(o) * static_cast<std::size_t>(layer.in);
      float s = layer.bias[static_cast<std::size_t>(o)];
      for (int i = 0; i < layer.in; ++i) s += w[i] * a[static_cast<std::size_t>(i)];
      b[static_cast<std::size_t>(o)] = last ? s : std::tanh(s);
    }
    a.swap(b);
  }
  std::copy(a.begin(), a.end(), logits);
}

void SaveControllerModel(const fs::path& path, const ControllerModel& model) {
  nlohmann::json layers = nlohmann::json::array();
  std::vector<float> weights;
  for (const DenseLayer& l : model.layers) {
    layers.push_back({l.in, l.out});
    weights.insert(weights.end(), l.weight.begin(), l.weight.end());
    weights.insert(weights.end(), l.bias.begin(), l.bias.end());
  }
  const bool walk = model.process == kWalkProcess;
  nlohmann::json header = {{"env", walk ? EnvConfigToJson(model.env) : model.process_config},
                           {"observation_size", model.observation_size()},
                           {"layers", layers},
                           {"activation", "tanh"},
                           {"provenance", model.provenance}};
  if (!walk) header["process"] = model.process;  // walk files carry no process key
  std::string out(kMagic);
  binary::PutString(out, header.dump());
  binary::PutVector(out, weights);
  binary::Put<std::uint64_t>(out, binary::Fnv1a(out.data(), out.size()));
  WriteFileAtomically(path, out);
}

ControllerModel LoadControllerModel(const fs::path& path, const std::string& process) {
  const std::string bytes = ReadFile(path);
  auto corrupt = [&](const std::string& why) {
    return DataError(fmt::format("{}: corrupt controller model ({})", path.string(), why));
  };
  if (bytes.size() < kMagic.size() + 8 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    throw corrupt("not a simnas controller file");
  }
  const char* end = bytes.data() + bytes.size() - 8;
  const char* tail = end;
  const auto stored = binary::Get<std::uint64_t>(tail, bytes.data() + bytes.size());
  if (stored != binary::Fnv1a(bytes.data(), bytes.size() - 8)) throw corrupt("checksum mismatch");
  const char* in = bytes.data() + kMagic.size();
  ControllerModel model;
  std::vector<float> weights;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(binary::GetString(in, end));
    weights = binary::GetVector<float>(in, end);
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  if (in != end) throw corrupt("trailing bytes");
  try {
    model.process =
        header.contains("process") ? CanonicalDecisionProcess(header.at("process").get<std::string>()) : kWalkProcess;
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  if (model.process != process) {
    throw DataError(fmt::format("{}: this controller was trained for {}, not {}; use a model trained for it",
                                path.string(), DecisionProcessTitle(model.process), DecisionProcessTitle(process)));
  }
  int expected_obs = 0, expected_actions = 0;
  try {
    if (model.process == kWalkProcess) {
      // The walk's actions are its space's positions x max choices (checked where it runs).
      model.env = EnvConfigFromJson(header.at("env"));
      const nlohmann::json& layers = header.at("layers");
      expected_actions = layers.is_array() && !layers.empty() ? layers.back().at(1).get<int>() : 0;
      expected_obs = ObservationSize(model.env, expected_actions);
    } else if (model.process == kPickerProcess) {
      const PickerEnvConfig config = PickerEnvConfigFromJson(header.at("env"));
      model.process_config = PickerEnvConfigToJson(config);
      expected_obs = PickerObservationSize(config);
      expected_actions = PickerNumActions(config);
    } else {
      throw corrupt(fmt::format("unknown decision process '{}'", model.process));
    }
    model.provenance = header.value("provenance", nlohmann::json::object());
    if (header.value("activation", "") != "tanh") throw corrupt("unknown activation");
    std::size_t offset = 0;
    int previous_out = header.at("observation_size").get<int>();
    if (previous_out != expected_obs) {
      throw corrupt(fmt::format("observation size {} does not match its settings ({})", previous_out, expected_obs));
    }
    for (const auto& l : header.at("layers")) {
      DenseLayer layer;
      layer.in = l.at(0).get<int>();
      layer.out = l.at(1).get<int>();
      if (layer.in != previous_out || layer.out < 1 || layer.out > 1 << 16) throw corrupt("layer sizes do not chain");
      const std::size_t nw = static_cast<std::size_t>(layer.in) * static_cast<std::size_t>(layer.out);
      if (offset + nw + static_cast<std::size_t>(layer.out) > weights.size()) throw corrupt("too few weights");
      layer.weight.assign(weights.begin() + static_cast<std::ptrdiff_t>(offset),
                          weights.begin() + static_cast<std::ptrdiff_t>(offset + nw));
      offset += nw;
      layer.bias.assign(weights.begin() + static_cast<std::ptrdiff_t>(offset),
                        weights.begin() + static_cast<std::ptrdiff_t>(offset + static_cast<std::size_t>(layer.out)));
      offset += static_cast<std::size_t>(layer.out);
      previous_out = layer.out;
      model.layers.push_back(std::move(layer));
    }
    if (model.layers.empty() || previous_out != expected_actions) {
      throw corrupt(fmt::format("the last layer must give {} logits", expected_actions));
    }
    if (offset != weights.size()) throw corrupt("too many weights");
  } catch (const DataError&) {
    throw;
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  for (const DenseLayer& l : model.layers) {
    for (float w : l.weight) {
      if (!std::isfinite(w)) throw corrupt("non-finite weight");
    }
    for (float b : l.bias) {
      if (!std::isfinite(b)) throw corrupt("non-finite bias");
    }
  }
  return model;
}

fs::path ControllerModelFile(const fs::path& models_dir, const std::string& space, const std::string& name) {
  return models_dir / "controller" / space / (name + ".ctl");
}

}  // namespace simnas
