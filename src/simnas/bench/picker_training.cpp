#include "simnas/bench/picker_training.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/strategies/strategy.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

void CheckPickerLeaveOutDevices(const SpaceData& data, const std::vector<std::string>& held_out) {
  if (held_out.empty()) throw ParseError("leave-one-out: no device to hold out");
  const std::vector<std::string> train = data.TrainDevices();
  const std::vector<std::string> test = data.TestDevices();
  const std::string space(data.space().name());
  for (const std::string& d : held_out) {
    if (Contains(test, d)) {
      throw ParseError(
          fmt::format("leave-one-out: {} is a {} test device; leave-one-out runs on train devices only", d, space));
    }
    if (!Contains(train, d)) {
      throw ParseError(fmt::format("leave-one-out: {} is not a {} train device (they are: {})", d, space,
                                   fmt::join(train, ", ")));
    }
  }
  if (held_out.size() >= train.size()) {
    throw ParseError(fmt::format("leave-one-out: every {} train device held out; none left to train on", space));
  }
}

TrainResult TrainPickerController(const SpaceData& data, const ScoreTable& score, const PickerEnvConfig& config,
                                  PolicyTrainOptions options, const std::vector<std::string>& exclude) {
  if (!exclude.empty()) CheckPickerLeaveOutDevices(data, exclude);
  std::vector<std::string> names;
  std::vector<const LatencyTable*> train_tables;
  for (const std::string& name : data.TrainDevices()) {
    if (Contains(exclude, name)) continue;
    names.push_back(name);
    train_tables.push_back(&data.DeviceTable(name));
  }
  if (train_tables.empty()) throw Error(fmt::format("picker training: {} has no train table", data.space().name()));
  const CandidateSet& candidates = data.Numbering();
  SearchContext proxy_choice;
  proxy_choice.train_tables = train_tables;
  const LatencyTable& proxy_device = ProxyDeviceTable(proxy_choice);
  const PickerProcessData process_data(candidates, score.values(), train_tables, proxy_device, /*linear=*/true);
  const SyntheticDistribution devices = FitSyntheticDistribution(candidates, train_tables, config.synthetic.fit);
  if (!options.provenance.is_object()) options.provenance = nlohmann::json::object();
  options.provenance["space"] = std::string(data.space().name());
  options.provenance["objective"] = score.name();
  options.provenance["train_devices"] = names;
  options.provenance["proxy_device"] = proxy_device.name();
  if (!exclude.empty()) options.provenance["held_out"] = exclude;
  DecisionProcess process;
  process.name = kPickerProcess;
  process.config = PickerEnvConfigToJson(config);
  process.make_env = [&](const nlohmann::json& c, int num_envs, std::uint64_t s) -> std::unique_ptr<VecEnv> {
    // The settings of the run (a checkpoint's when resuming); the data serves either predictor.
    return std::make_unique<PickerVecEnv>(PickerEnvConfigFromJson(c), process_data, devices, num_envs, s);
  };
  return TrainPolicy(options, process);
}

LeaveOutController TrainPickerLeaveOutController(const SpaceData& data, const ScoreTable& score,
                                                 const std::vector<std::string>& held_out,
                                                 const PickerLeaveOutSettings& settings,
                                                 const nlohmann::json& provenance, const std::filesystem::path& dir) {
  CheckPickerLeaveOutDevices(data, held_out);
  return TrainLeaveOutInFolder(dir, [&] {
    PolicyTrainOptions o;
    o.ppo = settings.ppo;
    o.seed = settings.seed;
    o.out = dir;
    o.resume = true;
    o.plot = false;
    o.provenance = provenance;
    o.provenance["purpose"] = "leave-one-device-out";
    spdlog::info("leave-one-out: training a picker controller without {} ({} steps, seed {}) in {}",
                 LeaveOutName(held_out), settings.ppo.total_steps, settings.seed, dir.string());
    return TrainPickerController(data, score, settings.env, o, held_out);
  });
}

}  // namespace simnas
