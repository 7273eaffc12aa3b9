#include "simnas/bench/fbnet_leave_one_out.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/data/device_split.h"
#include "simnas/strategies/strategy.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

void CheckFbnetLeaveOutDevices(const std::vector<std::string>& held_out) {
  if (held_out.empty()) throw ParseError("leave-one-out: no device to hold out");
  const std::vector<std::string> train = FbnetTables::TrainDevices();
  for (const std::string& d : held_out) {
    if (IsFbnetTestDevice(d)) {
      throw ParseError(fmt::format("leave-one-out: {} is an FBNet test device; leave-one-out runs on train devices only", d));
    }
    if (!Contains(train, d)) {
      throw ParseError(fmt::format("leave-one-out: {} is not an FBNet train device (they are: {})", d,
                                   fmt::join(train, ", ")));
    }
  }
  if (held_out.size() >= train.size()) throw ParseError("leave-one-out: every FBNet train device held out; none left to train on");
}

TrainResult TrainFbnetController(FbnetTables& tables, const ScoreTable& objective, const FbnetEnvConfig& config,
                                 PolicyTrainOptions options, const std::vector<std::string>& exclude) {
  if (!exclude.empty()) CheckFbnetLeaveOutDevices(exclude);
  std::vector<std::string> names;
  std::vector<const LatencyTable*> train_tables;
  for (const std::string& name : FbnetTables::TrainDevices()) {
    if (Contains(exclude, name)) continue;
    names.push_back(name);
    train_tables.push_back(&tables.Table(name));
  }
  SearchContext proxy_choice;
  proxy_choice.train_tables = train_tables;
  const LatencyTable& proxy_device = ProxyDeviceTable(proxy_choice);
  const FbnetProcessData data(tables.Numbering(), objective.values(), train_tables, proxy_device, /*linear=*/true);
  const SyntheticDistribution devices = FitSyntheticDistribution(tables.Numbering(), train_tables, config.synthetic.fit);
  if (!options.provenance.is_object()) options.provenance = nlohmann::json::object();
  options.provenance["space"] = "fbnet";
  options.provenance["objective"] = objective.name();
  options.provenance["train_devices"] = names;
  options.provenance["proxy_device"] = proxy_device.name();
  if (!exclude.empty()) options.provenance["held_out"] = exclude;
  DecisionProcess process;
  process.name = kFbnetProcess;
  process.config = FbnetEnvConfigToJson(config);
  process.make_env = [&](const nlohmann::json& c, int num_envs, std::uint64_t s) -> std::unique_ptr<VecEnv> {
    // The settings of the run (a checkpoint's when resuming); the data serves either predictor.
    return std::make_unique<FbnetVecEnv>(FbnetEnvConfigFromJson(c), data, devices, num_envs, s);
  };
  return TrainPolicy(options, process);
}

LeaveOutController TrainFbnetLeaveOutController(FbnetTables& tables, const ScoreTable& objective,
                                                const std::vector<std::string>& held_out,
                                                const FbnetLeaveOutSettings& settings, const nlohmann::json& provenance,
                                                const std::filesystem::path& dir) {
  CheckFbnetLeaveOutDevices(held_out);
  return TrainLeaveOutInFolder(dir, [&] {
    PolicyTrainOptions o;
    o.ppo = settings.ppo;
    o.seed = settings.seed;
    o.out = dir;
    o.resume = true;
    o.plot = false;
    o.provenance = provenance;
    o.provenance["purpose"] = "leave-one-device-out";
    spdlog::info("leave-one-out: training an FBNet controller without {} ({} steps, seed {}) in {}",
                 LeaveOutName(held_out), settings.ppo.total_steps, settings.seed, dir.string());
    return TrainFbnetController(tables, objective, settings.env, o, held_out);
  });
}

std::vector<RunRecord> EvaluateFbnetLeaveOut(FbnetTables& tables, const ScoreTable& objective,
                                             const std::vector<std::string>& held_out,
                                             const std::filesystem::path& model, FbnetEvalSpec spec) {
  spec.devices = held_out;
  spec.exclude_from_context = held_out;
  StrategyResources strategies;
  strategies.picker_controller_model = model;
  return EvaluateFbnetOnTables(tables, objective, spec, strategies);
}

}  // namespace simnas
