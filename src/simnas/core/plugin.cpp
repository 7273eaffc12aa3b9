#include "simnas/core/plugin.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::mutex& PluginMutex() {
  static std::mutex mu;
  return mu;
}

// Open handles by plugin name (never closed: a runtime's threads and atexit handlers may
// outlive any caller).
std::map<std::string, void*, std::less<>>& Handles() {
  static auto* handles = new std::map<std::string, void*, std::less<>>();
  return *handles;
}

std::string FirstLine(const char* text) {
  std::string s = text != nullptr ? text : "unknown reason";
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace

fs::path PluginFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&PluginFolder), &info) == 0 || info.dli_fname == nullptr) {
    throw PluginError("cannot tell where libsimnas is loaded from (dladdr failed), so no plugin can be found");
  }
  std::error_code ec;
  fs::path self = fs::canonical(info.dli_fname, ec);
  if (ec) self = fs::absolute(info.dli_fname, ec);
  return self.parent_path();
}

fs::path PluginFile(std::string_view name) { return PluginFolder() / fmt::format("libsimnas_{}.so", name); }

void* PluginSymbol(std::string_view name, const char* symbol, PluginScope scope) {
  std::lock_guard<std::mutex> lock(PluginMutex());
  auto it = Handles().find(name);
  const fs::path file = PluginFile(name);
  if (it == Handles().end()) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      throw PluginError(fmt::format("plugin {} is missing (simnas needs it for this command; reinstall simnas or "
                                    "build the target simnas_{})",
                                    file.string(), name));
    }
    const int flags = RTLD_NOW | (scope == PluginScope::kGlobal ? RTLD_GLOBAL : RTLD_LOCAL);
    void* handle = dlopen(file.c_str(), flags);
    if (handle == nullptr) {
      throw PluginError(fmt::format("plugin {} cannot be loaded: {}", file.string(), FirstLine(dlerror())));
    }
    using VersionFn = const char* (*)();
    const auto version = reinterpret_cast<VersionFn>(dlsym(handle, "simnas_plugin_version"));
    const std::string found = version != nullptr ? version() : "none";
    if (found != SIMNAS_VERSION) {
      dlclose(handle);
      throw PluginError(fmt::format("plugin {} is of simnas version {}, this simnas is {}; reinstall simnas",
                                    file.string(), found, SIMNAS_VERSION));
    }
    it = Handles().emplace(std::string(name), handle).first;
  }
  dlerror();
  void* address = dlsym(it->second, symbol);
  if (address == nullptr) {
    throw PluginError(fmt::format("plugin {} has no entry point {} (a plugin of another simnas version?)",
                                  file.string(), symbol));
  }
  return address;
}

bool PluginLoaded(std::string_view name) {
  std::lock_guard<std::mutex> lock(PluginMutex());
  return Handles().find(name) != Handles().end();
}

}  // namespace simnas
