#include "cli_context.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace simnas::cli {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> Variable(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::optional<fs::path> Path(const std::optional<std::string>& flag) {
  if (!flag || flag->empty()) return std::nullopt;
  return fs::path(*flag);
}

}  // namespace

Environment ResolveEnvironment(const GlobalFlags& flags) {
  return simnas::ResolveEnvironment(
      EnvironmentSettings{Path(flags.data), Path(flags.registry), Path(flags.store), Path(flags.share), Path(flags.cache)},
      Variable);
}

Workspace& CliContext::Ws() {
  if (!workspace_) workspace_ = std::make_unique<Workspace>(ResolveEnvironment(flags));
  return *workspace_;
}

const Environment& CliContext::Env() { return Ws().Env(); }

BenchmarkData& CliContext::Data() { return Ws().Data(); }

FbnetTables& CliContext::Fbnet() { return Ws().Fbnet(); }

std::string CliContext::FbnetObjectiveSource(const ProxyArgs& args) {
  return args.aggregate != ProxyArgs{}.aggregate ? args.aggregate : kFbnetDefaultScoreSource;
}

ScoreTable CliContext::FbnetObjectiveOf(const ProxyArgs& args) {
  return Ws().ScoresOf(FbnetSpace(), Dataset::kCifar100, FbnetObjectiveSource(args), args.proxy_table);
}


Arch CliContext::ResolveArch(const CellArgs& args, std::string_view command) {
  RequireCell(args, command);
  try {
    if (args.arch) return space().Parse(*args.arch);
    return Numbering().at(*args.index);
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("{}: {}", args.arch ? "--arch" : "--index", e.what()));
  }
}

ProbeStore& CliContext::Store() { return Ws().Store(); }

DeviceEnvironment CliContext::Devices() { return Ws().Devices(space()); }

std::unique_ptr<Device> CliContext::OpenDevice(const DeviceSpec& spec) { return simnas::OpenDevice(spec, Devices()); }
std::unique_ptr<Device> CliContext::OpenDevice(const std::string& spec) { return simnas::OpenDevice(spec, Devices()); }

StrategyResources CliContext::Strategies() { return Ws().Strategies(space()); }

fs::path CliContext::ProxyTable(const std::string& given, Dataset dataset) { return Ws().ProxyTable(given, dataset); }

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

}  // namespace simnas::cli
