// simnas devices: what can be measured in --space, and the train/test split of its benchmark
// tables.
#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/core/stats.h"
#include "simnas/devices/local_device.h"
#include "simnas/devices/opencv_device.h"

namespace simnas::cli {

void AddDevicesCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("devices", "List devices: --space's benchmark tables with their train/test split, "
                                            "local, registry entries");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([&ctx, json] {
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    nlohmann::json tables = nlohmann::json::array();
    for (const std::string& name : data.DeviceNames()) {
      const LatencyTable& t = data.DeviceTable(name);
      const auto& v = t.values();
      tables.push_back({{"spec", DeviceSpec::Table(name).ToString()},
                        {"name", name},
                        {"split", space.IsTestDevice(name) ? "test" : "train"},
                        {"min_ms", *std::min_element(v.begin(), v.end())},
                        {"median_ms", Median(v)},
                        {"max_ms", *std::max_element(v.begin(), v.end())}});
    }
    nlohmann::json registry = nlohmann::json::array();
    const auto registry_path = ctx.Env().registry_file;
    if (registry_path) {
      for (const RegistryEntry& e : LoadDeviceRegistry(*registry_path)) {
        registry.push_back({{"name", e.name}, {"spec", e.spec}, {"description", e.description}});
      }
    }
    const LocalDevice local;
    const OpenCvDevice opencv;
    if (*json) {
      PrintJson({{"space", std::string(space.name())},
                 {"tables", tables},
                 {"local", {{"spec", local.Spec()}, {"fingerprint", local.Fingerprint()}}},
                 {"opencv", {{"spec", opencv.Spec()}, {"fingerprint", opencv.Fingerprint()}}},
                 {"registry_file", registry_path ? registry_path->string() : ""},
                 {"registry", registry}});
      return;
    }
    fmt::print("Benchmark tables of {} ({}; latency in ms):\n", space.name(), space.title());
    fmt::print("  {:<16} {:<6} {:>9} {:>9} {:>9}\n", "table:NAME", "split", "min", "median", "max");
    for (const auto& t : tables) {
      fmt::print("  {:<16} {:<6} {:>9.3f} {:>9.3f} {:>9.3f}\n", t["name"].get<std::string>(),
                 t["split"].get<std::string>(), t["min_ms"].get<double>(), t["median_ms"].get<double>(),
                 t["max_ms"].get<double>());
    }
    fmt::print("  test devices are for evaluation only; nothing is fitted or tuned on them.\n\n");
    fmt::print("Live:\n  {:<16} this machine's CPU ({})\n", "local", local.Fingerprint());
    fmt::print("  {:<16} this machine's CPU through OpenCV DNN on the exported ONNX model ({})\n\n", "opencv",
               opencv.Fingerprint());
    fmt::print("Synthetic:\n  synthetic:SEED   a lookup-table device sampled from the train-device distribution\n\n");
    fmt::print("External:\n  cmd:'PROGRAM ... {{arch}}|{{index}}|{{onnx}}'  any program printing a latency in ms, or "
               "the summary of trtexec, benchmark_app, benchmark_model, onnxruntime_perf_test\n\n");
    if (registry_path) {
      fmt::print("Registry {}:\n", registry_path->string());
      for (const auto& r : registry) {
        fmt::print("  {:<16} {}  {}\n", r["name"].get<std::string>(), r["spec"].get<std::string>(),
                   r["description"].get<std::string>());
      }
    } else {
      fmt::print("Registry: none (create ~/.config/simnas/devices.json to name your devices)\n");
    }
  });
}

}  // namespace simnas::cli
