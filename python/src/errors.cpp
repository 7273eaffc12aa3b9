// The library's error kinds as Python exceptions (core/error.h): simnas.Error and one subclass
// per kind, with the library's one-line message. An interruption is simnas.Interrupted, a
// KeyboardInterrupt (so that `except Exception` does not swallow Ctrl-C).
#include <Python.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/parallel/cluster.h"

namespace simnas::python {

void BindErrors(py::module_& m) {
  static py::exception<Error> error(m, "Error");
  error.doc() = "Any error of simnas; the message is one line naming what went wrong and where.";
  static py::exception<ParseError> parse_error(m, "ParseError", error.ptr());
  parse_error.doc() = "A malformed architecture string, device spec or option value.";
  static py::exception<DataError> data_error(m, "DataError", error.ptr());
  data_error.doc() = "A missing, unreadable or invalid data file.";
  static py::exception<DeviceError> device_error(m, "DeviceError", error.ptr());
  device_error.doc() = "A device that failed, timed out, or answered with something that is not a latency.";
  static py::exception<PluginError> plugin_error(m, "PluginError", error.ptr());
  plugin_error.doc() = "A runtime plugin of simnas (LibTorch, OpenCV, MPI) is missing or cannot be loaded.";
  static py::exception<JobError> job_error(m, "JobError", error.ptr());
  job_error.doc() = "An error every rank of an MPI job agrees on.";
  static py::exception<Interrupted> interrupted(m, "Interrupted", PyExc_KeyboardInterrupt);
  interrupted.doc() = "Work stopped by Ctrl-C (a KeyboardInterrupt); what was measured is kept in the probe store.";
  // Most derived first: pybind11 tries the translators registered last first.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Interrupted& e) {
      // The SIGINT was also marked for Python (ForwardInterrupt): run its handler now, so that it
      // does not raise a second KeyboardInterrupt later, and raise ours in its place.
      if (PyErr_CheckSignals() != 0) PyErr_Clear();
      PyErr_SetString(interrupted.ptr(), e.what());
    } catch (const JobError& e) {
      PyErr_SetString(job_error.ptr(), e.what());
    } catch (const PluginError& e) {
      PyErr_SetString(plugin_error.ptr(), e.what());
    } catch (const DeviceError& e) {
      PyErr_SetString(device_error.ptr(), e.what());
    } catch (const DataError& e) {
      PyErr_SetString(data_error.ptr(), e.what());
    } catch (const ParseError& e) {
      PyErr_SetString(parse_error.ptr(), e.what());
    } catch (const Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
}

}  // namespace simnas::python
