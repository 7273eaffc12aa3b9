// What every subcommand shares: the global flags, the Environment resolved from them once, and
// lazily opened data, store and devices.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_options.h"
#include "simnas/core/environment.h"
#include "simnas/devices/device_factory.h"
#include "simnas/parallel/cluster.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "simnas/strategies/registry.h"
#include "simnas/workspace/workspace.h"

namespace simnas::cli {

// The global path flags (empty: not given).
struct GlobalFlags {
  std::optional<std::string> data;
  std::optional<std::string> registry;
  std::optional<std::string> store;
  std::optional<std::string> share;
  std::optional<std::string> cache;
  std::string space{kDefaultSpaceName};  // --space: a registered search space's name
};

// The one place the CLI reads the process environment: the flags, then the variables and
// defaults of ResolveEnvironment (workspace/workspace.h). The shipped files (share) are found
// beside libsimnas.so: tables/proxies/, models/controller/, configs/.
Environment ResolveEnvironment(const GlobalFlags& flags);

class CliContext {
 public:
  GlobalFlags flags;
  // The processes of this job (one, or the ranks of `mpirun -np N simnas ...`); set by main.
  Cluster* cluster = nullptr;

  // Resolved on first use (after the command line is parsed).
  const Environment& Env();
  // The search space of --space (validated when the command line is parsed).
  const Space& space() const { return FindSpace(flags.space); }
  // How --space numbers its architectures (its data's numbering).
  const CandidateSet& Numbering() { return Ws().Numbering(space()); }
  // A space's data, e.g. DataOf(space()) (the workspace's).
  const SpaceData& DataOf(const Space& space) { return Ws().DataOf(space); }
  // The architecture --arch / --index names in --space (--index: the position in its numbering;
  // --arch needs no data). Throws ParseError in one line naming the flag.
  Arch ResolveArch(const ArchArgs& args, std::string_view command);
  ProbeStore& Store();
  DeviceEnvironment Devices();
  std::unique_ptr<Device> OpenDevice(const DeviceSpec& spec);
  std::unique_ptr<Device> OpenDevice(const std::string& spec);
  // The shipped controller models of --space ($SIMNAS_CONTROLLER / $SIMNAS_CONTROLLER_UNCONSTRAINED
  // override the edit walk's).
  StrategyResources Strategies();

  // The library's workspace of the resolved flags (made on first use).
  Workspace& Ws();

 private:
  std::unique_ptr<Workspace> workspace_;
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
