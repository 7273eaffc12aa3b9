#include "simnas/workspace/workspace.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "simnas/controller/controller_model.h"
#include "simnas/core/strings.h"
#include "simnas/devices/synthetic_device.h"
#include "simnas/core/error.h"
#include "simnas/core/plugin.h"
#include "simnas/proxies/proxy_table.h"

namespace simnas {
namespace fs = std::filesystem;
namespace {

// the setting, else $variable, else nullopt.
std::optional<fs::path> Given(const std::optional<fs::path>& setting, const char* variable,
                              const VariableLookup& lookup) {
  if (setting && !setting->empty()) return *setting;
  if (auto v = lookup(variable)) return fs::path(*v);
  return std::nullopt;
}

// The user's home: $HOME when it is an absolute path, else the home folder of the user's
// account (the password database), else nothing.
std::optional<fs::path> Home(const VariableLookup& lookup) {
  if (auto home = lookup("HOME"); home && fs::path(*home).is_absolute()) return fs::path(*home);
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_dir != nullptr && fs::path(found->pw_dir).is_absolute()) {
    return fs::path(found->pw_dir);
  }
  return std::nullopt;
}

// $XDG_<kind>_HOME when it is an absolute path (the XDG specification: a relative one is
// ignored), else <home>/<fallback>. Throws Error naming `flag` and `variable` when there is no
// home either: simnas never falls back to the working directory.
fs::path XdgBase(const char* xdg, const char* fallback, const char* flag, const char* variable,
                 const VariableLookup& lookup) {
  if (auto v = lookup(xdg); v && fs::path(*v).is_absolute()) return fs::path(*v);
  if (auto home = Home(lookup)) return *home / fallback;
  throw Error(fmt::format("no default for {}: $HOME is not set (nor an absolute ${}) and the user has no home "
                          "folder; pass {} or set ${}",
                          flag, xdg, flag, variable));
}

}  // namespace

fs::path ShippedFilesFolder() {
  const fs::path dir = PluginFolder();
  std::error_code ec;
  const fs::path build_tree = dir / "share" / "simnas";
  if (fs::is_directory(build_tree, ec)) return build_tree;
  // Installed: libsimnas.so in <prefix>/<libdir>/simnas, the files in <prefix>/<datadir>/simnas.
  const fs::path installed = (dir / SIMNAS_PKGLIB_TO_DATADIR / "simnas").lexically_normal();
  return installed;  // named in the error when a shipped file is missing
}

Environment ResolveEnvironment(const EnvironmentSettings& settings, const VariableLookup& lookup) {
  Environment env;
  const auto data_home = [&](const char* flag, const char* variable) {
    return XdgBase("XDG_DATA_HOME", ".local/share", flag, variable, lookup) / "simnas";
  };
  const std::optional<fs::path> data = Given(settings.data, "SIMNAS_DATA", lookup);
  env.data_dir = data ? *data : data_home("--data", "SIMNAS_DATA") / "data";
  const std::optional<fs::path> store = Given(settings.store, "SIMNAS_STORE", lookup);
  env.store_file = store ? *store : data_home("--store", "SIMNAS_STORE") / "probes.sqlite";
  const std::optional<fs::path> cache = Given(settings.cache, "SIMNAS_CACHE", lookup);
  env.cache_dir = cache ? *cache : XdgBase("XDG_CACHE_HOME", ".cache", "--cache", "SIMNAS_CACHE", lookup) / "simnas";
  env.registry_file = Given(settings.registry, "SIMNAS_DEVICES", lookup);
  if (!env.registry_file) {
    try {
      const fs::path p =
          XdgBase("XDG_CONFIG_HOME", ".config", "--registry", "SIMNAS_DEVICES", lookup) / "simnas" / "devices.json";
      std::error_code ec;
      if (fs::exists(p, ec)) env.registry_file = p;
    } catch (const Error&) {
      // No home: no default registry (it is optional).
    }
  }
  const fs::path share = Given(settings.share, "SIMNAS_SHARE", lookup).value_or(ShippedFilesFolder());
  env.shipped_dir = share;
  env.proxy_tables_dir = share / "tables" / "proxies";
  env.models_dir = share / "models";
  env.configs_dir = share / "configs";
  env.controller_model = Given(std::nullopt, "SIMNAS_CONTROLLER", lookup);
  env.unconstrained_controller_model = Given(std::nullopt, "SIMNAS_CONTROLLER_UNCONSTRAINED", lookup);
  return env;
}

const SpaceData& Workspace::DataOf(const Space& space) {
  auto& slot = space_data_[std::string(space.name())];
  if (!slot) slot = std::make_unique<SpaceData>(space, DataDir(env_.data_dir));
  return *slot;
}

ProbeStore& Workspace::Store() {
  if (!store_) store_ = std::make_unique<ProbeStore>(env_.store_file);
  return *store_;
}

DeviceEnvironment Workspace::Devices(const Space& space) {
  DeviceEnvironment env{&DataOf(space), env_.registry_file, env_.cache_dir, {}};
  env.open_synthetic = [this, &space](const DeviceSpec& spec) -> std::unique_ptr<Device> {
    return OpenSyntheticDevice(DataOf(space), spec);
  };
  return env;
}

std::unique_ptr<Device> Workspace::OpenDevice(const std::string& spec, const Space& space) {
  return simnas::OpenDevice(spec, Devices(space));
}

StrategyResources Workspace::Strategies(const Space& space) const {
  StrategyResources r;
  const std::string name(space.name());
  r.controller_model = env_.controller_model.value_or(ControllerModelFile(env_.models_dir, name, "default"));
  r.unconstrained_controller_model =
      env_.unconstrained_controller_model.value_or(ControllerModelFile(env_.models_dir, name, "unconstrained"));
  r.picker_controller_model = ControllerModelFile(env_.models_dir, name, kPickerProcess);
  return r;
}

ScoreTable Workspace::ScoresOf(const Space& space, Dataset dataset, const std::string& source,
                               const fs::path& table_file) {
  // A score the space computes itself (its first is the default where it has no proxy table).
  const std::vector<std::string> own = space.ScoreSources();
  if (!own.empty() && (source.empty() || std::find(own.begin(), own.end(), source) != own.end())) {
    const std::string name = source.empty() ? own.front() : source;
    const SpaceData& data = DataOf(space);
    return ScoreTable(space.ScoreName(name), space.Scores(name, data.Numbering(), data));
  }
  return MakeScoreTable(Numbering(space), dataset, source, ScoreFiles{env_.proxy_tables_dir, table_file, env_.configs_dir});
}

}  // namespace simnas
