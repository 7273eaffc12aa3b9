// Opening a device from a spec (device_spec.h parses it):
//   table:NAME       a benchmark table by device name (e.g. table:pixel3), else a device the
//                    space offers of its own by that name (Space::OpenOwnDevice)
//   table:PATH       a table file (HELP .pt, or a CSV written by `simnas measure-all`)
//   synthetic:SEED[,OPTS]  a synthetic lookup-table device from the train-device distribution
//                    (OPTS: SyntheticOptions, e.g. paper or sampler=mixture,op_noise=0.1)
//   local[:OPTS]     this machine's CPU, timed live (OPTS: threads=1,batch=1,...)
//   opencv[:OPTS]    this machine's CPU through OpenCV DNN on the exported ONNX model (same OPTS)
//   cmd:COMMAND      an external program printing a latency ({arch}/{index} placeholders)
//   NAME             a device named in the registry file, else table:NAME
// The registry is a JSON file (the Environment's registry_file: --registry, else $SIMNAS_DEVICES,
// else ~/.config/simnas/devices.json when present):
//   {"devices": {"my-jetson": {"spec": "cmd:ssh jetson ./time.sh {arch}",
//                              "timeout_s": 120, "retries": 1, "description": "..."}}}
// A cmd: entry may also set "format" (output_formats.h: auto, plain, json, trtexec, ...) and
// "export" ({"dataset": "cifar10", "batch": 1, "input_size": 32, "seed": 0}: the model behind {onnx}).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/devices/command_device.h"
#include "simnas/devices/device.h"
#include "simnas/devices/device_spec.h"
#include "simnas/space/registry.h"

namespace simnas {

class SpaceData;

struct RegistryEntry {
  std::string name;
  std::string spec;
  std::string description;
  CommandOptions command;  // timeout_s / retries / format / export for cmd: devices
};

// Loads and validates a registry file. Throws DataError naming the file and the bad entry; an
// entry named like a built-in device or group (ReservedDeviceName: local, opencv, table, cmd,
// synthetic, train, test, anything with ':') is refused, since that device would run instead.
std::vector<RegistryEntry> LoadDeviceRegistry(const std::filesystem::path& path);
// What opening a device may need besides its spec.
struct DeviceEnvironment {
  // The search space's data: the space the device measures, its numbering and device tables
  // (table:NAME, table:PATH, the {index} of cmd:). Required.
  const SpaceData* data = nullptr;
  std::optional<std::filesystem::path> registry;     // registry file, when there is one
  std::filesystem::path cache_dir;                   // live devices' cache (empty: none)
  // Opens `synthetic:SEED[,OPTS]` devices of the space (synthetic/); null: refused.
  std::function<std::unique_ptr<Device>(const DeviceSpec&)> open_synthetic;
};

// Throws ParseError for a malformed spec or an unknown name, DataError for a missing table or a
// bad registry (read whatever the spec is).
std::unique_ptr<Device> OpenDevice(const DeviceSpec& spec, const DeviceEnvironment& env);
// The same for a spec string (DeviceSpec::Parse).
std::unique_ptr<Device> OpenDevice(const std::string& spec, const DeviceEnvironment& env);

}  // namespace simnas
