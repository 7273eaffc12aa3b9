// What a front end (the CLI, the Python module) works with: the Environment resolved once from
// its settings, and each space's data, the probe store, devices and the strategies' files, each
// opened on first use. The front ends differ only in where the settings
// come from (flags, keyword arguments) and how results are shown.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "simnas/core/environment.h"
#include "simnas/devices/device_factory.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/arch.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/score_table.h"
#include "simnas/strategies/registry.h"

namespace simnas {

// The paths a front end was given explicitly (empty: not given).
struct EnvironmentSettings {
  std::optional<std::filesystem::path> data;
  std::optional<std::filesystem::path> registry;
  std::optional<std::filesystem::path> store;
  std::optional<std::filesystem::path> share;
  std::optional<std::filesystem::path> cache;
};

// A process environment variable's value (nullopt when unset or empty). The library reads no
// environment itself: a front end passes its lookup.
using VariableLookup = std::function<std::optional<std::string>(const char* name)>;

// Each path: the setting, else its variable, else the default:
//   data      $SIMNAS_DATA     $XDG_DATA_HOME/simnas/data (~/.local/share/simnas/data)
//   store     $SIMNAS_STORE    $XDG_DATA_HOME/simnas/probes.sqlite
//   registry  $SIMNAS_DEVICES  $XDG_CONFIG_HOME/simnas/devices.json, when it exists
//   cache     $SIMNAS_CACHE    $XDG_CACHE_HOME/simnas (~/.cache/simnas)
//   share     $SIMNAS_SHARE    ShippedFilesFolder()
// and the controller models $SIMNAS_CONTROLLER / $SIMNAS_CONTROLLER_UNCONSTRAINED, else the
// shipped ones under share/models. An $XDG_*_HOME that is not an absolute path is ignored (as
// the XDG specification says); ~ is $HOME when it is absolute, else the account's home folder
// (the password database). Without either, a path that needs the default is an Error naming its
// flag: never the working folder.
Environment ResolveEnvironment(const EnvironmentSettings& settings, const VariableLookup& lookup);

// The files simnas ships (tables/proxies, models, configs), found from the folder of the loaded
// libsimnas.so: <that folder>/share/simnas in a build tree, <prefix>/share/simnas once installed.
std::filesystem::path ShippedFilesFolder();

class Workspace {
 public:
  explicit Workspace(Environment env) : env_(std::move(env)) {}
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const Environment& Env() const { return env_; }
  // A space's data in the data folder (each file read on first use, kept).
  const SpaceData& DataOf(const Space& space);
  // How `space` numbers its architectures (NATS-Bench indices; FBNet: HELP's 5,000).
  const CandidateSet& Numbering(const Space& space) { return DataOf(space).Numbering(); }
  // The architecture `index` names in `space`. Throws ParseError naming the range.
  Arch ArchAt(const Space& space, int index) { return Numbering(space).at(index); }
  // The probe store (opened on first use).
  ProbeStore& Store();
  // What opening a device of `space` needs; the device itself.
  DeviceEnvironment Devices(const Space& space);
  std::unique_ptr<Device> OpenDevice(const std::string& spec, const Space& space);
  // The controller models the strategies read in `space` (the candidate
  // picker's model is models/controller/<space>/picker.ctl, the edit walk's <space>/default.ctl).
  StrategyResources Strategies(const Space& space) const;
  // The scores a search in `space` ranks its numbered architectures by: `source` (a proxy recipe
  // of configs/aggregates.json, or a source of the space's own; empty: the space's default) over
  // the space's proxy table of `dataset` (`table_file` when not empty, else the shipped one).
  ScoreTable ScoresOf(const Space& space, Dataset dataset, const std::string& source,
                      const std::filesystem::path& table_file);

 private:
  Environment env_;
  std::map<std::string, std::unique_ptr<SpaceData>> space_data_;
  std::unique_ptr<ProbeStore> store_;
};

}  // namespace simnas
