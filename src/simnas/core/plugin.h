// Plugins: the parts of simnas that need a heavy runtime (LibTorch, OpenCV DNN, MPI) are shared
// libraries of their own, libsimnas_<name>.so, opened the first time a command uses them, so
// that a process that never touches a runtime never loads it (LibTorch alone costs about half
// a second of start-up). Each plugin exports C entry points declared in the torch-free header
// of the interface it implements; the library reaches them through PluginSymbol.
//
// A plugin lives in the folder of libsimnas.so itself (the build folder; <libdir>/simnas once
// installed), so the CLI, the tests and the Python module find the same files wherever the
// tree was built or installed.
#pragma once

#include <filesystem>
#include <string_view>

namespace simnas {

// How a plugin is opened.
enum class PluginScope {
  kLocal,   // its symbols serve only the callers of PluginSymbol (RTLD_LOCAL)
  kGlobal,  // its symbols and its libraries' join the process's global scope (RTLD_GLOBAL), for
            // runtimes that open components of their own (Open MPI's)
};

// The folder the plugins are looked for in: the folder of the loaded libsimnas.so.
std::filesystem::path PluginFolder();

// The file of plugin `name` ("torch" -> <PluginFolder()>/libsimnas_torch.so).
std::filesystem::path PluginFile(std::string_view name);

// The address of `symbol` in plugin `name`, which is opened once per process (thread-safe;
// later calls reuse it, whatever their scope). Throws PluginError, one line naming the file,
// when the file is missing, cannot be loaded (the dynamic loader's reason), or lacks `symbol`.
void* PluginSymbol(std::string_view name, const char* symbol, PluginScope scope = PluginScope::kLocal);

// The entry point `fn` of plugin `plugin` ("torch"), as a pointer typed by fn's declaration (an
// extern "C" function declared in the torch-free header of the interface and defined in the
// plugin). Opens the plugin on first use; throws PluginError as PluginSymbol.
#define SIMNAS_PLUGIN_ENTRY(plugin, fn) (reinterpret_cast<decltype(&fn)>(::simnas::PluginSymbol(plugin, #fn)))

// Every plugin defines this once (SIMNAS_PLUGIN_VERSION_ENTRY() in one of its files): a plugin
// of another version is refused when it is opened, before any of its entry points is called.
#define SIMNAS_PLUGIN_VERSION_ENTRY() \
  extern "C" const char* simnas_plugin_version() { return SIMNAS_VERSION; }

// Whether plugin `name` is open in this process (tests: a command did not load a runtime).
bool PluginLoaded(std::string_view name);

}  // namespace simnas
