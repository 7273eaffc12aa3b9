#include "cli_context.h"

#include <cstdio>

namespace simnas::cli {

BenchmarkData& CliContext::Data() {
  if (!data_) data_ = std::make_unique<BenchmarkData>(DataDir::Resolve(data_flag));
  return *data_;
}

ProbeStore& CliContext::Store() {
  if (!store_) store_ = std::make_unique<ProbeStore>(ProbeStore::ResolvePath(store_flag));
  return *store_;
}

DeviceEnvironment CliContext::Devices() { return DeviceEnvironment{&Data(), ResolveRegistryPath(registry_flag)}; }

std::unique_ptr<Device> CliContext::OpenDevice(const std::string& spec) { return simnas::OpenDevice(spec, Devices()); }

void PrintJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

}  // namespace simnas::cli
