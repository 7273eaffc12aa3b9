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

Arch CliContext::ResolveArch(const ArchArgs& args, std::string_view command) {
  return cli::ResolveArch(args, space(), [this]() -> const CandidateSet& { return Numbering(); }, command);
}

ProbeStore& CliContext::Store() { return Ws().Store(); }

DeviceEnvironment CliContext::Devices() { return Ws().Devices(space()); }

std::unique_ptr<Device> CliContext::OpenDevice(const DeviceSpec& spec) { return simnas::OpenDevice(spec, Devices()); }
std::unique_ptr<Device> CliContext::OpenDevice(const std::string& spec) { return simnas::OpenDevice(spec, Devices()); }

StrategyResources CliContext::Strategies() { return Ws().Strategies(space()); }

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

}  // namespace simnas::cli
