// Training the candidate-picker controller (controller/picker_episode.h) on any space
// (`simnas train --process picker`) and its leave-one-train-device-out runs (`simnas controller
// loo --process picker`): synthetic devices of the space fitted on its train tables but the
// held-out ones, predictors that see only those tables, candidates = the space's numbering,
// ranked by a score table. Test tables never enter training.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/bench/leave_one_out.h"
#include "simnas/controller/picker_episode.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space_data.h"

namespace simnas {

// Throws ParseError unless `held_out` names one or more train devices of `data`'s space and
// leaves at least one to train on (a test device is refused, naming it).
void CheckPickerLeaveOutDevices(const SpaceData& data, const std::vector<std::string>& held_out);

// Trains (or resumes, options.resume) a picker controller on synthetic devices (config.synthetic)
// fitted on `data`'s train tables but `exclude`; its predictors see those tables and it ranks
// `data`'s numbered candidates by `score` (one value per candidate). Adds the space, the score's
// name, the train devices, the proxy device and (when any) the held-out devices to
// options.provenance. Throws ParseError when `exclude` names anything but train devices.
TrainResult TrainPickerController(const SpaceData& data, const ScoreTable& score, const PickerEnvConfig& config,
                                  PolicyTrainOptions options, const std::vector<std::string>& exclude = {});

struct PickerLeaveOutSettings {
  PickerEnvConfig env;
  PpoConfig ppo;  // ppo.total_steps: the training steps
  std::uint64_t seed = 0;
};

// The picker controller trained without `held_out` in `dir` (TrainLeaveOutInFolder: a finished
// one is reused, an interrupted one resumed). `provenance` is added to the model's (e.g. the
// command and the score's source). Checks `held_out` first.
LeaveOutController TrainPickerLeaveOutController(const SpaceData& data, const ScoreTable& score,
                                                 const std::vector<std::string>& held_out,
                                                 const PickerLeaveOutSettings& settings,
                                                 const nlohmann::json& provenance, const std::filesystem::path& dir);

}  // namespace simnas
