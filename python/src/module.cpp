// PYBIND11_MODULE: the workspace, configure(), errors and the binding files.
#include <pybind11/pybind11.h>

#include <Python.h>

#include <cstdlib>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/parallel/cluster.h"

namespace simnas::python {
namespace {

std::unique_ptr<Workspace>& WorkspaceSlot() {
  static std::unique_ptr<Workspace> workspace;
  return workspace;
}

EnvironmentSettings& Settings() {
  static EnvironmentSettings settings;
  return settings;
}

std::optional<std::string> Variable(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::optional<std::filesystem::path> PathArg(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  return std::filesystem::path(*value);
}

py::dict EnvironmentDict(const Environment& env) {
  py::dict d;
  d["data"] = env.data_dir.string();
  d["store"] = env.store_file.string();
  d["cache"] = env.cache_dir.string();
  d["registry"] = env.registry_file ? py::object(py::str(env.registry_file->string())) : py::object(py::none());
  d["proxy_tables"] = env.proxy_tables_dir.string();
  d["models"] = env.models_dir.string();
  d["configs"] = env.configs_dir.string();
  return d;
}

}  // namespace

Workspace& Ws() {
  std::unique_ptr<Workspace>& slot = WorkspaceSlot();
  if (!slot) slot = std::make_unique<Workspace>(ResolveEnvironment(Settings(), Variable));
  return *slot;
}

std::recursive_mutex& LibraryMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

void ForwardInterrupt(int signal_number) { PyErr_SetInterruptEx(signal_number); }

const Space& SpaceOf(const std::string& name) { return FindSpace(name); }

}  // namespace simnas::python

PYBIND11_MODULE(_simnas, m) {
  namespace py = pybind11;
  using namespace simnas::python;
  m.doc() = "simnas: hardware-aware neural architecture search on unseen devices with a few real latency probes.";
  m.attr("__version__") = SIMNAS_VERSION;
  BindErrors(m);
  m.def(
      "configure",
      [](std::optional<std::string> data, std::optional<std::string> store, std::optional<std::string> cache,
         std::optional<std::string> registry, std::optional<std::string> share) {
        std::lock_guard<std::recursive_mutex> lock(LibraryMutex());
        Settings() = simnas::EnvironmentSettings{PathArg(data), PathArg(registry), PathArg(store), PathArg(share),
                                                 PathArg(cache)};
        WorkspaceSlot().reset();
        return EnvironmentDict(Ws().Env());
      },
      py::kw_only(), py::arg("data") = py::none(), py::arg("store") = py::none(), py::arg("cache") = py::none(),
      py::arg("registry") = py::none(), py::arg("share") = py::none(),
      R"doc(Set the folders simnas works with; returns them all (see environment()).

Each path not given comes from its variable, else its default, as for the CLI's flags:
data ($SIMNAS_DATA, ~/.local/share/simnas/data), store ($SIMNAS_STORE, the probe store
~/.local/share/simnas/probes.sqlite), cache ($SIMNAS_CACHE, ~/.cache/simnas), registry
($SIMNAS_DEVICES, ~/.config/simnas/devices.json when present) and share ($SIMNAS_SHARE, the
shipped proxy tables, controller models and configs beside the library). Data already loaded is
dropped, so the next call reads the new folders.)doc");
  m.def(
      "environment", [] { return EnvironmentDict(Ws().Env()); },
      "The folders simnas works with (a dict: data, store, cache, registry, proxy_tables, models, configs).");
  m.def(
      "mpi_built_in", [] { return simnas::MpiBuiltIn(); }, "Whether this simnas was built with MPI.");
  BindArchs(m);
  BindDevices(m);
  BindMeasure(m);
  BindTables(m);
  BindProxies(m);
  BindSearch(m);
}
