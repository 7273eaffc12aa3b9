// The FBNet controller's training (`simnas --space fbnet train`) and its leave-one-train-device-out
// runs (`simnas --space fbnet controller loo`): a controller of the FBNet decision process
// (controller/fbnet_episode.h) whose synthetic devices are fitted on the train tables but the
// held-out ones, whose predictors see only those tables, then evaluated on the held-out devices
// like `controller eval` (fbnet_evaluation.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "simnas/bench/fbnet_evaluation.h"
#include "simnas/bench/leave_one_out.h"
#include "simnas/controller/fbnet_episode.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/space/score_table.h"

namespace simnas {

// Trains (or resumes, options.resume) the FBNet controller on synthetic devices sampled from fits
// of the FBNet train tables but `exclude`; its predictors see those tables (never a test table,
// never an excluded one) and it ranks HELP's candidates by `objective`. Adds the space, the
// objective's name, the train devices, the proxy device and (when any) the held-out devices to
// options.provenance. Throws ParseError when `exclude` names anything but FBNet train devices.
TrainResult TrainFbnetController(FbnetTables& tables, const ScoreTable& objective, const FbnetEnvConfig& config,
                                 PolicyTrainOptions options, const std::vector<std::string>& exclude = {});

struct FbnetLeaveOutSettings {
  FbnetEnvConfig env;
  PpoConfig ppo;  // ppo.total_steps: the training steps
  std::uint64_t seed = 0;
};

// Throws ParseError unless `held_out` names one or more FBNet train devices (a test device is
// refused, naming it).
void CheckFbnetLeaveOutDevices(const std::vector<std::string>& held_out);

// The FBNet controller trained without `held_out` in `dir` (TrainLeaveOutInFolder: a finished one
// is reused, an interrupted one resumed). `provenance` is added to the model's (e.g. the command
// and the objective's source). Checks `held_out` first.
LeaveOutController TrainFbnetLeaveOutController(FbnetTables& tables, const ScoreTable& objective,
                                                const std::vector<std::string>& held_out,
                                                const FbnetLeaveOutSettings& settings, const nlohmann::json& provenance,
                                                const std::filesystem::path& dir);

// `spec`'s strategies on every held-out device, "controller" being the model at `model`; the
// held-out tables are withheld from every strategy.
std::vector<RunRecord> EvaluateFbnetLeaveOut(FbnetTables& tables, const ScoreTable& objective,
                                             const std::vector<std::string>& held_out,
                                             const std::filesystem::path& model, FbnetEvalSpec spec);

}  // namespace simnas
