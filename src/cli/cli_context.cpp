#include "cli_context.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "simnas/controller/controller_model.h"
#include "simnas/core/error.h"

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

// The user's home: $HOME when it is an absolute path, else the home folder of the user's
// account (the password database), else nothing.
std::optional<fs::path> Home() {
  if (auto home = Variable("HOME"); home && fs::path(*home).is_absolute()) return fs::path(*home);
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
fs::path XdgBase(const char* xdg, const char* fallback, const char* flag, const char* variable) {
  if (auto v = Variable(xdg); v && fs::path(*v).is_absolute()) return fs::path(*v);
  if (auto home = Home()) return *home / fallback;
  throw Error(fmt::format("no default for {}: $HOME is not set (nor an absolute ${}) and the user has no home "
                          "folder; pass {} or set ${}",
                          flag, xdg, flag, variable));
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
  const auto data_home = [](const char* flag, const char* variable) {
    return XdgBase("XDG_DATA_HOME", ".local/share", flag, variable) / "simnas";
  };
  const std::optional<fs::path> data = Given(flags.data, "SIMNAS_DATA");
  env.data_dir = data ? *data : data_home("--data", "SIMNAS_DATA") / "data";
  const std::optional<fs::path> store = Given(flags.store, "SIMNAS_STORE");
  env.store_file = store ? *store : data_home("--store", "SIMNAS_STORE") / "probes.sqlite";
  const std::optional<fs::path> cache = Given(flags.cache, "SIMNAS_CACHE");
  env.cache_dir = cache ? *cache : XdgBase("XDG_CACHE_HOME", ".cache", "--cache", "SIMNAS_CACHE") / "simnas";
  env.registry_file = Given(flags.registry, "SIMNAS_DEVICES");
  if (!env.registry_file) {
    try {
      const fs::path p =
          XdgBase("XDG_CONFIG_HOME", ".config", "--registry", "SIMNAS_DEVICES") / "simnas" / "devices.json";
      std::error_code ec;
      if (fs::exists(p, ec)) env.registry_file = p;
    } catch (const Error&) {
      // No home: no default registry (it is optional).
    }
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
