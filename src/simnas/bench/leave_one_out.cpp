#include "simnas/bench/leave_one_out.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/controller/synthetic_env.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/strategies/controller_strategy.h"

namespace simnas {
namespace fs = std::filesystem;

LeaveOutSettings SettingsOfModel(const ControllerModel& model, std::int64_t steps) {
  LeaveOutSettings s;
  s.env = model.env;
  if (model.provenance.contains("ppo")) s.ppo = PpoConfigFromJson(model.provenance["ppo"]);
  s.ppo.total_steps = steps;
  s.seed = 0;
  return s;
}

std::string LeaveOutName(const std::vector<std::string>& held_out) {
  std::string name;
  for (const std::string& d : held_out) name += (name.empty() ? "" : "+") + d;
  return name;
}

void CheckLeaveOutDevices(const SpaceData& data, const std::vector<std::string>& held_out) {
  if (held_out.empty()) throw ParseError("leave-one-out: no device to hold out");
  for (const std::string& d : held_out) {
    if (data.space().IsTestDevice(d)) {
      throw ParseError(fmt::format("leave-one-out: {} is a test device; leave-one-out runs on train devices only", d));
    }
    data.DeviceTable(d);  // a name that is not a table fails here, before any training
  }
}

LeaveOutController TrainLeaveOutInFolder(const fs::path& dir, const std::function<TrainResult()>& train) {
  LeaveOutController out;
  out.model = dir / "controller.ctl";
  if (fs::exists(dir / "done")) return out;
  fs::create_directories(dir);
  const int lock = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock};
  if (fs::exists(dir / "done")) return out;  // another process trained it while this one waited
  const TrainResult r = train();
  WriteFileAtomically(dir / "done", fmt::format("{} steps, {:.0f} steps/s\n", r.steps, r.steps_per_second));
  out.trained = true;
  return out;
}

LeaveOutController TrainLeaveOutController(const SpaceData& data, const ScoreTable& proxy,
                                           const std::vector<std::string>& held_out, const LeaveOutSettings& settings,
                                           const fs::path& dir) {
  CheckLeaveOutDevices(data, held_out);
  return TrainLeaveOutInFolder(dir, [&] {
    const TrainingInputs in = PrepareTrainingInputs(data, proxy, held_out, settings.env.synthetic.fit);
    TrainOptions o;
    o.env = settings.env;
    o.ppo = settings.ppo;
    o.seed = settings.seed;
    o.out = dir;
    o.resume = true;
    o.plot = false;
    o.monitor_accuracy = data.Accuracy(Dataset::kCifar100);  // the log only
    o.provenance = {{"purpose", "leave-one-device-out"}, {"held_out", held_out}, {"train_devices", in.devices}};
    spdlog::info("leave-one-out: training a controller without {} ({} steps, seed {}) in {}", LeaveOutName(held_out),
                 settings.ppo.total_steps, settings.seed, dir.string());
    return TrainController(o, in.tables, in.distribution);
  });
}

std::vector<EvalRow> EvaluateLeaveOut(const SpaceData& data, const ScoreTable& proxy,
                                      const std::vector<std::string>& held_out, const fs::path& model, EvalSpec spec,
                                      const std::vector<std::string>& strategies, const StrategyResources& resources) {
  spec.devices = held_out;
  spec.exclude_from_context = held_out;
  std::vector<std::unique_ptr<Strategy>> owned;
  std::vector<NamedStrategy> named;
  for (const std::string& name : strategies) {
    if (name == "controller") {
      auto walk = std::make_unique<ControllerStrategy>(model, resources.unconstrained_controller_model);
      walk->set_name("controller");
      owned.push_back(std::move(walk));
    } else {
      owned.push_back(MakeStrategy(name, resources, data.space()));
    }
    named.push_back({name, owned.back().get()});
  }
  return EvaluateOnTables(data, proxy, spec, named);
}

}  // namespace simnas
