// What every subcommand shares: the global flags and lazily opened data, store and devices.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "simnas/data/benchmark_data.h"
#include "simnas/devices/device_factory.h"
#include "simnas/probe/probe_store.h"

namespace simnas::cli {

class CliContext {
 public:
  std::optional<std::string> data_flag;
  std::optional<std::string> registry_flag;
  std::optional<std::string> store_flag;

  BenchmarkData& Data();
  ProbeStore& Store();
  DeviceEnvironment Devices();
  std::unique_ptr<Device> OpenDevice(const std::string& spec);

 private:
  std::unique_ptr<BenchmarkData> data_;
  std::unique_ptr<ProbeStore> store_;
};

// Prints JSON (pretty) to stdout.
void PrintJson(const nlohmann::json& j);

// Each subcommand adds itself to the app.
void AddArchCommand(CLI::App& app, CliContext& ctx);
void AddMeasureCommands(CLI::App& app, CliContext& ctx);
void AddDevicesCommand(CLI::App& app, CliContext& ctx);
void AddDataCommand(CLI::App& app, CliContext& ctx);
void AddProxiesCommand(CLI::App& app, CliContext& ctx);
void AddSearchCommand(CLI::App& app, CliContext& ctx);
void AddSynthCommand(CLI::App& app, CliContext& ctx);
void AddTrainCommand(CLI::App& app, CliContext& ctx);
void AddBenchCommand(CLI::App& app, CliContext& ctx);
void AddMonotonicityCommand(CLI::App& app, CliContext& ctx);
void AddExportCommand(CLI::App& app, CliContext& ctx);

}  // namespace simnas::cli
