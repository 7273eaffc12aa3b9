// Leave-one-device-out controllers of the edit walk: a controller trained on every train device
// of a space but a held-out one (or group), then evaluated on it. The one path behind `simnas bench` (a group with
// "controller_loo_steps") and `simnas controller loo`: the same held-out devices, settings and
// proxy give the same controller file from both.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "simnas/bench/evaluation.h"
#include "simnas/controller/controller_model.h"
#include "simnas/controller/env_config.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/space_data.h"
#include "simnas/strategies/registry.h"

namespace simnas {

struct LeaveOutSettings {
  EnvConfig env;
  PpoConfig ppo;  // ppo.total_steps: the training steps
  std::uint64_t seed = 0;
};

// The decision-process and PPO settings `model` was trained with, `steps` steps, seed 0: how
// the benchmark trains its leave-out controllers (from the committed default's settings).
LeaveOutSettings SettingsOfModel(const ControllerModel& model, std::int64_t steps);

// The folder name of a held-out group: its device names joined by '+'.
std::string LeaveOutName(const std::vector<std::string>& held_out);

// Throws ParseError unless `held_out` names one or more train device tables.
void CheckLeaveOutDevices(const SpaceData& data, const std::vector<std::string>& held_out);

struct LeaveOutController {
  std::filesystem::path model;  // <dir>/controller.ctl
  bool trained = false;         // false: a finished controller was already in the folder
};

// A leave-out controller in `dir`, trained at most once: a finished one (`dir/done`) is reused as
// it is; otherwise `train` runs (it trains into `dir`, resuming an interrupted run's checkpoint)
// and `dir/done` is written. Two processes asking for the same folder (ranks of a job on a shared
// file system): one trains, the other waits for it (a lock on `dir/.lock`) and reuses it.
LeaveOutController TrainLeaveOutInFolder(const std::filesystem::path& dir, const std::function<TrainResult()>& train);

// The controller trained without the train devices `held_out`, in `dir`: a finished one
// (`dir/done`) is reused as it is; otherwise it is trained, resuming an interrupted run's
// checkpoint. Two processes asking for the same folder (ranks of a job on a shared file
// system): one trains, the other waits for it and reuses it. `proxy` is the proxy the
// controller sees (one score per numbered architecture). Checks `held_out` first (CheckLeaveOutDevices).
LeaveOutController TrainLeaveOutController(const SpaceData& data, const ScoreTable& proxy,
                                           const std::vector<std::string>& held_out, const LeaveOutSettings& settings,
                                           const std::filesystem::path& dir);

// Evaluates `strategies` (names; "controller" is the leave-out controller at `model`) on
// every held-out device, with `spec`'s budgets, seeds and probes; the held-out devices are
// removed from every strategy's context.
std::vector<EvalRow> EvaluateLeaveOut(const SpaceData& data, const ScoreTable& proxy,
                                      const std::vector<std::string>& held_out, const std::filesystem::path& model,
                                      EvalSpec spec, const std::vector<std::string>& strategies,
                                      const StrategyResources& resources);

}  // namespace simnas
