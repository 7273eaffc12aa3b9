// Devices (devices/device.h): every spec kind opened by the library's factory, the registry, and
// a device written in Python (a callable measure(arch) -> ms, or an object with such a method).
#include <cmath>

#include <fmt/format.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/space/arch_export.h"

namespace simnas::python {
namespace {

// A device whose measurement is a Python call. Live: what it measures goes to the probe store
// the moment it is measured, and a resumed search replays it instead of calling again. With
// `onnx`, the architecture's network is exported first (cached under <cache>/onnx) and its
// path passed as the second argument.
class PythonDevice : public Device {
 public:
  PythonDevice(py::object measure, std::string name, std::optional<ExportOptions> onnx)
      : measure_(std::move(measure)), name_(std::move(name)), onnx_(onnx) {}
  ~PythonDevice() override {
    py::gil_scoped_acquire gil;
    measure_ = py::object();
  }

  std::string Spec() const override { return "python:" + name_; }
  std::string Fingerprint() const override {
    std::string f = "python|" + name_;
    if (onnx_) {
      f += fmt::format("|onnx classes={} input={} batch={} seed={}", onnx_->num_classes, onnx_->input_size,
                       onnx_->batch, onnx_->seed);
    }
    return f;
  }
  bool IsLive() const override { return true; }

  Measurement Measure(const Arch& arch) override {
    std::optional<std::filesystem::path> onnx;
    if (onnx_) onnx = CachedArchOnnx(arch, *onnx_, ExportFolder(cache_dir_));
    double ms = 0;
    {
      py::gil_scoped_acquire gil;
      try {
        const py::object result = onnx ? measure_(arch, onnx->string()) : measure_(arch);
        ms = result.cast<double>();
      } catch (py::error_already_set& e) {
        if (e.matches(PyExc_KeyboardInterrupt)) {
          throw Interrupted(fmt::format("device {} interrupted while measuring {}", Spec(), arch.ToString()));
        }
        throw DeviceError(fmt::format("device {} failed on {}: {}", Spec(), arch.ToString(), FirstLine(e.what())));
      } catch (const py::cast_error&) {
        throw DeviceError(
            fmt::format("device {} answered {} with something that is not a number of milliseconds", Spec(),
                        arch.ToString()));
      }
    }
    if (!std::isfinite(ms) || ms <= 0) {
      throw DeviceError(fmt::format("device {} answered {} with {} ms; a latency is a finite positive number", Spec(),
                                    arch.ToString(), ms));
    }
    Measurement m;
    m.latency_ms = ms;
    return m;
  }

  void set_cache_dir(std::filesystem::path dir) { cache_dir_ = std::move(dir); }

 private:
  static std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

  py::object measure_;
  std::string name_;
  std::optional<ExportOptions> onnx_;
  std::filesystem::path cache_dir_;
};

// The callable behind `device`: itself, or its measure method.
py::object MeasureCallable(const py::object& device) {
  if (py::hasattr(device, "measure") && !py::isinstance<py::function>(device)) return device.attr("measure");
  if (PyCallable_Check(device.ptr())) return device;
  throw ParseError(fmt::format("device {}: expected a spec string, a simnas.Device, a callable measure(arch) -> ms "
                               "or an object with a measure(arch) method",
                               py::repr(device).cast<std::string>()));
}

// module.qualname of a function, else of the object's class.
std::string DefaultName(const py::object& device) {
  const py::object named = py::hasattr(device, "__qualname__") ? device : device.attr("__class__");
  std::string name = py::str(named.attr("__qualname__")).cast<std::string>();
  if (py::hasattr(named, "__module__") && !named.attr("__module__").is_none()) {
    name = py::str(named.attr("__module__")).cast<std::string>() + "." + name;
  }
  return name;
}

std::unique_ptr<PythonDevice> MakePythonDevice(const py::object& device, std::optional<std::string> name, bool onnx,
                                               std::optional<std::string> dataset, int batch,
                                               std::optional<int> input_size, std::uint64_t seed) {
  std::optional<ExportOptions> options;
  if (onnx) {
    const Dataset d = ParseDataset(dataset.value_or("cifar10"));
    ExportOptions o;
    o.num_classes = NumClasses(d);
    o.input_size = input_size.value_or(InputSize(d));
    o.batch = batch;
    o.seed = seed;
    ValidateExportOptions(DefaultSpace(), o);
    options = o;
  }
  auto d = std::make_unique<PythonDevice>(MeasureCallable(device), name.value_or(DefaultName(device)), options);
  d->set_cache_dir(Ws().Env().cache_dir);
  return d;
}

py::dict MeasurementDict(const Measurement& m) {
  py::dict d;
  d["latency_ms"] = m.latency_ms;
  d["spread"] = m.spread;
  d["repeats"] = m.repeats;
  return d;
}

}  // namespace

DeviceArg ResolveDevice(const py::object& device, const Space& space) {
  DeviceArg arg;
  if (py::isinstance<py::str>(device)) {
    const std::string spec = device.cast<std::string>();
    arg.owned = Released([&] { return Ws().OpenDevice(spec, space); });
    arg.device = arg.owned.get();
    return arg;
  }
  if (py::isinstance<Device>(device)) {
    arg.device = device.cast<Device*>();
    arg.keep = device;
    return arg;
  }
  arg.owned = MakePythonDevice(device, std::nullopt, false, std::nullopt, 1, std::nullopt, 0);
  arg.device = arg.owned.get();
  arg.keep = device;
  return arg;
}

void BindDevices(py::module_& m) {
  py::class_<Device>(m, "Device", R"doc(A device: something that tells the latency of an architecture.

Open one with simnas.device(spec) (table:NAME, table:PATH, synthetic:SEED, local[:opts],
opencv[:opts], cmd:COMMAND, or a registry name) or simnas.PythonDevice(measure). Wherever a
function takes `device=`, a spec string, a Device or a Python callable measure(arch) -> ms (or
an object with a measure method) may be given.)doc")
      .def_property_readonly("spec", &Device::Spec, "The spec that opens this device again.")
      .def_property_readonly("fingerprint", &Device::Fingerprint,
                             "What identifies the device and every setting that changes its latencies (the probe "
                             "store's key).")
      .def_property_readonly("is_live", &Device::IsLive,
                             "True when measuring does real work (its measurements go to the probe store).")
      .def(
          "measure",
          [](Device& d, const Arch& arch) { return MeasurementDict(Released([&] { return d.Measure(arch); })); },
          py::arg("arch"),
          "One measurement of `arch`, straight from the device (not through the probe store; see "
          "simnas.measure): a dict latency_ms, spread, repeats. Raises DeviceError when the device fails.")
      .def("__repr__", [](const Device& d) { return fmt::format("simnas.Device('{}')", d.Spec()); });

  m.def(
      "device",
      [](const std::string& spec, const std::string& space) -> std::unique_ptr<Device> {
        const Space& kind = SpaceOf(space);
        return Released([&] { return Ws().OpenDevice(spec, kind); });
      },
      py::arg("spec"), py::arg("space") = "nb201",
      "The device `spec` names, for architectures of `space`. Raises ParseError for a malformed spec or an "
      "unknown name, DataError for a missing table.");

  m.def(
      "PythonDevice",
      [](const py::object& measure, std::optional<std::string> name, bool onnx, std::optional<std::string> dataset,
         int batch, std::optional<int> input_size, std::uint64_t seed) -> std::unique_ptr<Device> {
        return MakePythonDevice(measure, std::move(name), onnx, std::move(dataset), batch, input_size, seed);
      },
      py::arg("measure"), py::kw_only(), py::arg("name") = py::none(), py::arg("onnx") = false,
      py::arg("dataset") = py::none(), py::arg("batch") = 1, py::arg("input_size") = py::none(),
      py::arg("seed") = 0,
      R"doc(A device written in Python: `measure(arch) -> ms` (a callable, or an object with a
measure method), called once per probe with a simnas.Arch; it returns the latency in
milliseconds (a finite positive number). With onnx=True the architecture's network is exported
first (classifier and input size of `dataset`, default cifar10, or `input_size`; `batch`;
weights from `seed`; cached under the cache folder) and measure(arch, onnx_path) is called.

The device is live: each measurement goes to the probe store at once, keyed by its name
(default: the callable's module.qualname) and the export settings, and a search resumed with the
same run id replays it instead of calling again. An exception in measure is a DeviceError of the
probe; Ctrl-C (KeyboardInterrupt) inside it stops the search with the probes so far kept.)doc");

  m.def(
      "registry",
      []() {
        const std::optional<std::filesystem::path> file = Ws().Env().registry_file;
        py::list out;
        if (!file) return out;
        const std::vector<RegistryEntry> entries = Released([&] { return LoadDeviceRegistry(*file); });
        for (const RegistryEntry& e : entries) {
          py::dict d;
          d["name"] = e.name;
          d["spec"] = e.spec;
          d["description"] = e.description;
          out.append(d);
        }
        return out;
      },
      "The devices of the registry file (environment()['registry']): a list of dicts name, spec, "
      "description; empty without a registry.");
}

}  // namespace simnas::python
