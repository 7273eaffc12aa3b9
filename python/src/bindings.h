// The Python module `simnas` (pybind11): a thin layer over the library the CLI uses. Every
// function converts its arguments, calls the library with the GIL released, and converts the
// result; the library does the work. This header holds what the binding files share.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "simnas/core/interrupt.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/arch.h"
#include "simnas/space/registry.h"
#include "simnas/workspace/workspace.h"

namespace simnas::python {

namespace py = pybind11;

// The module's workspace: the Environment of simnas.configure() (its paths, then the $SIMNAS_*
// variables and defaults, as the CLI's flags), opened on first use.
Workspace& Ws();
// Serializes the module's calls into the library (two Python threads may call at once while
// the GIL is released); recursive, so that a Python device may call simnas itself.
std::recursive_mutex& LibraryMutex();

// Called from the SIGINT handler while C++ runs: marks the interrupt for Python as well (its
// KeyboardInterrupt reaches a Python device at once, or the caller when C++ returns).
void ForwardInterrupt(int signal_number);

// Runs `work` with the GIL released, the library mutex held and Ctrl-C stopping the library's
// long loops (core/interrupt.h); the library's Interrupted becomes simnas.Interrupted.
template <typename Work>
auto Released(Work&& work) {
  InterruptScope interrupts(&ForwardInterrupt);
  py::gil_scoped_release release;
  std::lock_guard<std::recursive_mutex> lock(LibraryMutex());
  return work();
}

// A registered space by name ("nb201", "fbnet"; ParseError naming the known ones).
const Space& SpaceOf(const std::string& name);

// A device argument: a spec string, a simnas.Device, or a Python callable / object with a
// measure method (wrapped as a Python device). Holds what it opened.
struct DeviceArg {
  Device* device = nullptr;
  std::unique_ptr<Device> owned;
  py::object keep;  // the Python object behind the device, kept alive
};
DeviceArg ResolveDevice(const py::object& device, const Space& space);

// A probe as a dict: arch, index (None without one), latency_ms, spread, repeats, replayed.
py::dict ProbeRecordDict(const ProbeRecord& r);

// The binding files, one per area.
void BindErrors(py::module_& m);
void BindArchs(py::module_& m);
void BindDevices(py::module_& m);
void BindMeasure(py::module_& m);
void BindTables(py::module_& m);
void BindProxies(py::module_& m);
void BindSearch(py::module_& m);

}  // namespace simnas::python
