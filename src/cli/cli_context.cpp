#include "cli_context.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "simnas/controller/controller_model.h"

namespace simnas::cli {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> Variable(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// flag, else $variable, else nullopt.
std::optional<fs::path> Given(const std::optional<std::string>& flag, const char* variable) {
  if (flag && !flag->empty()) return fs::path(*flag);
  if (auto v = Variable(variable)) return fs::path(*v);
  return std::nullopt;
}

// $XDG_<kind>_HOME, else ~/<fallback>, else the working directory.
fs::path XdgBase(const char* variable, const char* fallback) {
  if (auto v = Variable(variable)) return fs::path(*v);
  if (auto home = Variable("HOME")) return fs::path(*home) / fallback;
  return fs::current_path();
}

fs::path ShippedFiles() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path("share") / "simnas";
  const fs::path dir = exe.parent_path();
  for (const fs::path& candidate : {dir / "share" / "simnas", dir.parent_path() / "share" / "simnas"}) {
    if (fs::is_directory(candidate, ec)) return candidate;
  }
  return dir.parent_path() / "share" / "simnas";  // named in the error when a shipped file is missing
}

}  // namespace

Environment ResolveEnvironment(const GlobalFlags& flags) {
  Environment env;
  const fs::path data_home = XdgBase("XDG_DATA_HOME", ".local/share") / "simnas";
  env.data_dir = Given(flags.data, "SIMNAS_DATA").value_or(data_home / "data");
  env.store_file = Given(flags.store, "SIMNAS_STORE").value_or(data_home / "probes.sqlite");
  env.cache_dir = Given(flags.cache, "SIMNAS_CACHE").value_or(XdgBase("XDG_CACHE_HOME", ".cache") / "simnas");
  env.registry_file = Given(flags.registry, "SIMNAS_DEVICES");
  if (!env.registry_file) {
    const fs::path p = XdgBase("XDG_CONFIG_HOME", ".config") / "simnas" / "devices.json";
    std::error_code ec;
    if (fs::exists(p, ec)) env.registry_file = p;
  }
  const fs::path share = Given(flags.share, "SIMNAS_SHARE").value_or(ShippedFiles());
  env.shipped_dir = share;
  env.proxy_tables_dir = share / "tables" / "proxies";
  env.models_dir = share / "models";
  env.configs_dir = share / "configs";
  return env;
}

const Environment& CliContext::Env() {
  if (!env_) env_ = ResolveEnvironment(flags);
  return *env_;
}

BenchmarkData& CliContext::Data() {
  if (!data_) data_ = std::make_unique<BenchmarkData>(DataDir(Env().data_dir));
  return *data_;
}

FbnetTables& CliContext::Fbnet() {
  if (!fbnet_) fbnet_ = std::make_unique<FbnetTables>(DataDir(Env().data_dir));
  return *fbnet_;
}

std::string CliContext::FbnetObjectiveSource(const ProxyArgs& args) {
  return args.aggregate != ProxyArgs{}.aggregate ? args.aggregate : kFbnetDefaultObjectiveSource;
}

FbnetObjective CliContext::FbnetObjectiveOf(const ProxyArgs& args) {
  return MakeFbnetObjective(Fbnet().Numbering(), FbnetObjectiveSource(args),
                            FbnetObjectiveFiles{Env().proxy_tables_dir, args.proxy_table, Env().configs_dir});
}

const ArchNumbering& CliContext::Numbering() {
  if (Space() == SpaceKind::kFbnet) return Fbnet().Numbering();
  return Data().space();
}

Arch CliContext::ResolveArch(const CellArgs& args, std::string_view command) {
  if (Space() != SpaceKind::kFbnet) {
    return ResolveCell(args, [this]() -> const SearchSpace& { return Data().space(); }, command);
  }
  RequireCell(args, command);
  try {
    if (args.arch) return FbnetArch::Parse(*args.arch);
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("--arch: {}", e.what()));
  }
  return Fbnet().Numbering().At(*args.index);
}

ProbeStore& CliContext::Store() {
  if (!store_) store_ = std::make_unique<ProbeStore>(Env().store_file);
  return *store_;
}

DeviceEnvironment CliContext::Devices() {
  DeviceEnvironment env{&Data(), Env().registry_file, Env().cache_dir};
  env.space = Space();
  if (env.space == SpaceKind::kFbnet) env.fbnet = &Fbnet();
  return env;
}

std::unique_ptr<Device> CliContext::OpenDevice(const DeviceSpec& spec) { return simnas::OpenDevice(spec, Devices()); }
std::unique_ptr<Device> CliContext::OpenDevice(const std::string& spec) { return simnas::OpenDevice(spec, Devices()); }

StrategyResources CliContext::Strategies() {
  StrategyResources r;
  r.controller_model = Variable("SIMNAS_CONTROLLER").value_or(ControllerModelFile(Env().models_dir, "default"));
  r.unconstrained_controller_model =
      Variable("SIMNAS_CONTROLLER_UNCONSTRAINED").value_or(ControllerModelFile(Env().models_dir, "unconstrained"));
  r.fbnet_controller_model = ControllerModelFile(Env().models_dir, "fbnet");
  r.data_dir = Env().data_dir;
  return r;
}

fs::path CliContext::ProxyTable(const std::string& given, Dataset dataset) {
  return given.empty() ? ProxyTableFile(Env().proxy_tables_dir, dataset) : fs::path(given);
}

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

}  // namespace simnas::cli
