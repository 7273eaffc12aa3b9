#include "simnas/workspace/workspace.h"

#include "simnas/controller/controller_model.h"
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

// $XDG_<kind>_HOME, else ~/<fallback>, else the working directory.
fs::path XdgBase(const char* variable, const char* fallback, const VariableLookup& lookup) {
  if (auto v = lookup(variable)) return fs::path(*v);
  if (auto home = lookup("HOME")) return fs::path(*home) / fallback;
  return fs::current_path();
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

Environment ResolveEnvironment(const EnvironmentSettings& settings, const VariableLookup& variable) {
  Environment env;
  const fs::path data_home = XdgBase("XDG_DATA_HOME", ".local/share", variable) / "simnas";
  env.data_dir = Given(settings.data, "SIMNAS_DATA", variable).value_or(data_home / "data");
  env.store_file = Given(settings.store, "SIMNAS_STORE", variable).value_or(data_home / "probes.sqlite");
  env.cache_dir =
      Given(settings.cache, "SIMNAS_CACHE", variable).value_or(XdgBase("XDG_CACHE_HOME", ".cache", variable) / "simnas");
  env.registry_file = Given(settings.registry, "SIMNAS_DEVICES", variable);
  if (!env.registry_file) {
    const fs::path p = XdgBase("XDG_CONFIG_HOME", ".config", variable) / "simnas" / "devices.json";
    std::error_code ec;
    if (fs::exists(p, ec)) env.registry_file = p;
  }
  const fs::path share = Given(settings.share, "SIMNAS_SHARE", variable).value_or(ShippedFilesFolder());
  env.proxy_tables_dir = share / "tables" / "proxies";
  env.models_dir = share / "models";
  env.configs_dir = share / "configs";
  env.controller_model = Given(std::nullopt, "SIMNAS_CONTROLLER", variable);
  env.unconstrained_controller_model = Given(std::nullopt, "SIMNAS_CONTROLLER_UNCONSTRAINED", variable);
  return env;
}

BenchmarkData& Workspace::Data() {
  if (!data_) data_ = std::make_unique<BenchmarkData>(DataDir(env_.data_dir));
  return *data_;
}

FbnetTables& Workspace::Fbnet() {
  if (!fbnet_) fbnet_ = std::make_unique<FbnetTables>(DataDir(env_.data_dir));
  return *fbnet_;
}

const ArchNumbering& Workspace::Numbering(SpaceKind space) {
  if (space == SpaceKind::kFbnet) return Fbnet().Numbering();
  return Data().space();
}

Arch Workspace::ArchAt(SpaceKind space, int index) { return Numbering(space).ArchAt(index); }

ProbeStore& Workspace::Store() {
  if (!store_) store_ = std::make_unique<ProbeStore>(env_.store_file);
  return *store_;
}

DeviceEnvironment Workspace::Devices(SpaceKind space) {
  DeviceEnvironment devices{&Data(), env_.registry_file, env_.cache_dir};
  devices.space = space;
  if (space == SpaceKind::kFbnet) devices.fbnet = &Fbnet();
  return devices;
}

std::unique_ptr<Device> Workspace::OpenDevice(const std::string& spec, SpaceKind space) {
  return simnas::OpenDevice(spec, Devices(space));
}

StrategyResources Workspace::Strategies() const {
  StrategyResources r;
  r.controller_model = env_.controller_model.value_or(ControllerModelFile(env_.models_dir, "default"));
  r.unconstrained_controller_model =
      env_.unconstrained_controller_model.value_or(ControllerModelFile(env_.models_dir, "unconstrained"));
  r.fbnet_controller_model = ControllerModelFile(env_.models_dir, "fbnet");
  r.data_dir = env_.data_dir;
  return r;
}

fs::path Workspace::ProxyTable(const fs::path& given, Dataset dataset) const {
  return given.empty() ? ProxyTableFile(env_.proxy_tables_dir, dataset) : given;
}

FbnetObjective Workspace::FbnetObjectiveOf(const std::string& source, const fs::path& table_file) {
  return MakeFbnetObjective(Fbnet().Numbering(), source.empty() ? kFbnetDefaultObjectiveSource : source,
                            FbnetObjectiveFiles{env_.proxy_tables_dir, table_file, env_.configs_dir});
}

}  // namespace simnas
