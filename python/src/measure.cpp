// measure (one architecture through a probe session: stored, replayed by run id), measure_all
// (probe/measure_all.h) and export (network/cell_export.h).
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/space/arch_export.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_session.h"
#include "simnas/probe/probe_store.h"

namespace simnas::python {

py::dict ProbeRecordDict(const ProbeRecord& r) {
  py::dict d;
  d["arch"] = r.arch;
  d["index"] = r.index < 0 ? py::object(py::none()) : py::object(py::int_(r.index));
  d["latency_ms"] = r.measurement.latency_ms;
  d["spread"] = r.measurement.spread;
  d["repeats"] = r.measurement.repeats;
  d["replayed"] = r.replayed;
  return d;
}

namespace {

ExportOptions OptionsOf(const Arch& arch, std::optional<std::string> dataset, int batch,
                        std::optional<int> input_size, std::uint64_t seed) {
  const Space& space = arch.space();
  const Dataset d = dataset ? ParseDataset(*dataset) : space.Datasets().front();
  ExportOptions o;
  o.num_classes = NumClasses(d);
  o.input_size = input_size.value_or(space.InputSize(arch, d));
  o.batch = batch;
  o.seed = seed;
  return o;
}

py::dict ModelInfoDict(const OnnxModelInfo& info) {
  py::dict d;
  d["opset"] = info.opset;
  d["input"] = py::make_tuple(info.input_name, info.input_shape);
  d["output"] = py::make_tuple(info.output_name, info.output_shape);
  d["parameters"] = info.parameters;
  d["multiply_adds"] = info.multiply_adds;
  d["nodes"] = info.nodes;
  d["bytes"] = info.bytes;
  return d;
}

}  // namespace

void BindMeasure(py::module_& m) {
  m.def(
      "measure",
      [](const Arch& arch, const py::object& device, std::optional<std::string> run_id) {
        DeviceArg d = ResolveDevice(device, arch.space());
        const std::string id = run_id.value_or(NewRunId());
        const ProbeRecord record = Released([&] {
          const CandidateSet& numbering = Ws().Numbering(arch.space());
          ProbeSession session(*d.device, numbering, 1, d.device->IsLive() ? &Ws().Store() : nullptr, id);
          return session.Probe(arch);
        });
        py::dict out = ProbeRecordDict(record);
        out["device"] = d.device->Spec();
        out["run_id"] = id;
        return out;
      },
      py::arg("arch"), py::kw_only(), py::arg("device"), py::arg("run_id") = py::none(),
      R"doc(Measure one architecture on a device, as `simnas measure` does: through a probe session,
so a live device's measurement goes to the probe store at once, and the same run_id replays it.
Returns a dict: arch, index (None when the space numbers no such architecture), latency_ms,
spread, repeats, replayed, device, run_id.)doc");

  m.def(
      "measure_all",
      [](const py::object& device, const std::string& space, std::optional<int> sample, std::uint64_t seed,
         std::optional<std::filesystem::path> out, std::optional<std::filesystem::path> out_dir,
         std::optional<std::string> run_id, int rounds) {
        const Space& kind = SpaceOf(space);
        DeviceArg d = ResolveDevice(device, kind);
        MeasureAllRequest request;
        request.rounds = rounds;
        request.device_spec = d.device->Spec();
        request.sample = sample;
        request.seed = seed;
        request.out = out.value_or(std::filesystem::path());
        request.out_dir = out_dir.value_or(std::filesystem::path());
        request.run_id = run_id.value_or("");
        MeasureAllJob job;
        const MeasureAllOutcome outcome = Released([&] {
          const CandidateSet& numbering = Ws().Numbering(kind);
          job = MakeMeasureAllJob(*d.device, numbering, request);
          return MeasureAllToCsv(*d.device, numbering, job, Ws().Store());
        });
        py::dict result;
        result["out"] = job.out.string();
        result["run_id"] = job.run_id;
        result["written"] = outcome.written;
        result["measured_now"] = outcome.measured_now;
        py::list missing;
        for (const FailedCell& f : outcome.missing) missing.append(py::make_tuple(f.index, f.reason));
        result["missing"] = missing;
        return result;
      },
      py::kw_only(), py::arg("device"), py::arg("space") = "nb201", py::arg("sample") = py::none(),
      py::arg("seed") = 0, py::arg("out") = py::none(), py::arg("out_dir") = py::none(),
      py::arg("run_id") = py::none(), py::arg("rounds") = 1,
      R"doc(Measure every numbered architecture of `space` (or `sample` random ones, drawn with
`seed`) on a device into a latency CSV that the device spec table:PATH replays, as
`simnas measure-all` does: resumable (the same call replays what was measured), failed ones
retried, missing ones listed; with `rounds` R > 1 the sample is measured R times in R passes and
each architecture gets the median. Returns a dict: out, run_id, written, measured_now (every
round's measurements), missing [(index, reason)].)doc");

  m.def(
      "export",
      [](const Arch& arch, std::optional<std::filesystem::path> path, std::optional<std::string> dataset, int batch,
         std::optional<int> input_size, std::uint64_t seed) -> py::object {
        const ExportOptions options = OptionsOf(arch, std::move(dataset), batch, input_size, seed);
        OnnxModelInfo info;
        if (!path) {
          const std::string bytes = Released([&] { return SerializeArchOnnx(arch, options, &info); });
          return py::bytes(bytes);
        }
        info = Released([&] { return ExportArchOnnx(arch, options, *path); });
        py::dict d = ModelInfoDict(info);
        d["path"] = path->string();
        return d;
      },
      py::arg("arch"), py::arg("path") = py::none(), py::kw_only(), py::arg("dataset") = py::none(),
      py::arg("batch") = 1, py::arg("input_size") = py::none(), py::arg("seed") = 0,
      R"doc(The architecture's network as ONNX, as `simnas export` writes it: the classifier and
input size of `dataset` (default cifar10; FBNet: cifar100, 32 pixels) or `input_size`, `batch`
images, weights drawn from `seed`. Without `path` returns the model's bytes; with it, writes the
file atomically and returns a dict of the model (opset, input, output, parameters,
multiply_adds, nodes, bytes, path).)doc");
}

}  // namespace simnas::python
