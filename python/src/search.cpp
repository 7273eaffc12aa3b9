// search (workspace/search.h) and bench (workspace/bench.h): the library's entry points the CLI
// uses too; the result is the outcome with its report as a dict and as JSON.
#include <fmt/format.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/parallel/cluster.h"
#include "simnas/probe/probe_store.h"
#include "simnas/strategies/registry.h"
#include "simnas/workspace/bench.h"
#include "simnas/workspace/search.h"

namespace simnas::python {
namespace {

py::object JsonToPython(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

std::string Summary(const SearchOutcome& out) {
  if (!out.found) return fmt::format("simnas.SearchResult: nothing probed on {} (run id {})", out.device, out.run_id);
  const ProbeRecord& c = out.answer;
  return fmt::format("{} {}\n  index {}, measured {:.3f} ms{}, {} {:.6g}, {} probes ({} measured now) on {}, run id {}",
                     out.feasible ? "answer" : "NO FEASIBLE ARCHITECTURE; fastest probed:", c.arch.ToString(),
                     c.index < 0 ? std::string("none") : std::to_string(c.index), c.measurement.latency_ms,
                     out.budget_ms ? fmt::format(" (budget {:.3f} ms)", *out.budget_ms) : "", out.score_name,
                     out.answer_score, out.probes_used, out.measured_now, out.device, out.run_id);
}

}  // namespace

void BindSearch(py::module_& m) {
  py::class_<SearchOutcome>(m, "SearchResult", R"doc(What simnas.search() found.

arch / index / latency_ms: the answer (every latency was measured on the device), feasible:
within the budget, probes: every probe in order (dicts; replayed ones marked), scores: what the
strategy ranked them by (score_name), report: the report as a dict (json: as
`simnas search --json` prints it).)doc")
      .def_property_readonly("found", [](const SearchOutcome& o) { return o.found; })
      .def_property_readonly("feasible", [](const SearchOutcome& o) { return o.feasible; })
      .def_property_readonly("arch", [](const SearchOutcome& o) -> py::object {
        return o.found ? py::cast(o.answer.arch) : py::none();
      })
      .def_property_readonly("index", [](const SearchOutcome& o) -> py::object {
        return o.found && o.answer.index >= 0 ? py::object(py::int_(o.answer.index)) : py::object(py::none());
      })
      .def_property_readonly("latency_ms", [](const SearchOutcome& o) -> py::object {
        return o.found ? py::object(py::float_(o.answer.measurement.latency_ms)) : py::object(py::none());
      })
      .def_property_readonly("probes", [](const SearchOutcome& o) {
        py::list probes;
        for (const ProbeRecord& r : o.probes) probes.append(ProbeRecordDict(r));
        return probes;
      })
      .def_property_readonly("scores", [](const SearchOutcome& o) { return o.scores; })
      .def_property_readonly("score_name", [](const SearchOutcome& o) { return o.score_name; })
      .def_property_readonly("score", [](const SearchOutcome& o) { return o.answer_score; })
      .def_property_readonly("space", [](const SearchOutcome& o) { return std::string(o.space->name()); })
      .def_property_readonly("strategy", [](const SearchOutcome& o) { return o.strategy; })
      .def_property_readonly("device", [](const SearchOutcome& o) { return o.device; })
      .def_property_readonly("run_id", [](const SearchOutcome& o) { return o.run_id; })
      .def_property_readonly("budget_ms", [](const SearchOutcome& o) { return o.budget_ms; })
      .def_property_readonly("probes_used", [](const SearchOutcome& o) { return o.probes_used; })
      .def_property_readonly("measured_now", [](const SearchOutcome& o) { return o.measured_now; })
      .def_property_readonly("wall_seconds", [](const SearchOutcome& o) { return o.wall_seconds; })
      .def_property_readonly("report", [](const SearchOutcome& o) { return JsonToPython(o.report); })
      .def_property_readonly("json", [](const SearchOutcome& o) { return o.report.dump(2); })
      .def("__str__", &Summary)
      .def("__repr__", [](const SearchOutcome& o) {
        return fmt::format("<simnas.SearchResult {} {} on {}>", o.found ? o.answer.arch.ToString() : "none",
                           o.feasible ? "feasible" : "infeasible", o.device);
      });

  m.def(
      "search",
      [](const py::object& device, std::optional<std::string> strategy, std::optional<double> budget_ms, int probes,
         const std::string& dataset, std::uint64_t seed, std::optional<std::string> run_id,
         std::optional<std::filesystem::path> proxy_table, std::optional<std::string> aggregate,
         const std::string& space) {
        SearchRequest request;
        request.space = &SpaceOf(space);
        request.strategy = strategy.value_or("");
        request.budget_ms = budget_ms;
        if (probes < 1) throw ParseError(fmt::format("probes {}: expected at least 1", probes));
        request.probes = probes;
        request.dataset = ParseDataset(dataset);
        request.seed = seed;
        request.run_id = run_id.value_or(NewRunId());
        request.proxy_table = proxy_table.value_or(std::filesystem::path());
        request.aggregate = aggregate.value_or("");
        const auto interrupted = [&request] {
          return Interrupted(fmt::format("search interrupted; its probes so far are saved: search again with "
                                         "run_id='{}' to resume without measuring them twice",
                                         request.run_id));
        };
        if (py::isinstance<py::str>(device)) {
          const std::string spec = device.cast<std::string>();
          try {
            return Released([&] { return RunSearchRequest(Ws(), request, spec); });
          } catch (const Interrupted&) {
            throw interrupted();
          }
        }
        DeviceArg d = ResolveDevice(device, *request.space);
        try {
          return Released([&] { return RunSearchRequest(Ws(), request, *d.device); });
        } catch (const Interrupted&) {
          throw interrupted();
        }
      },
      py::kw_only(), py::arg("device") = "local", py::arg("strategy") = py::none(), py::arg("budget_ms") = py::none(),
      py::arg("probes") = 10, py::arg("dataset") = "cifar100", py::arg("seed") = 0, py::arg("run_id") = py::none(),
      py::arg("proxy_table") = py::none(), py::arg("aggregate") = py::none(), py::arg("space") = "nb201",
      R"doc(Search an architecture for a device with a few real latency probes, as `simnas search`.

device: a spec (table:pixel3, local, opencv, cmd:..., a registry name), a simnas.Device, or a
Python callable measure(arch) -> ms (or an object with measure). strategy: see
simnas.strategies() (default: the space's). budget_ms: the latency budget (None: the
unconstrained reward; FBNet needs one). probes: distinct architectures measured on the device.
dataset: the proxy table's and the report's (FBNet: cifar100). seed. run_id: the same id resumes
an interrupted or finished search, replaying its probes from the store instead of measuring
them again (default: a new id, in the result). proxy_table / aggregate: another proxy table
CSV or recipe (FBNet: the objective). space: "nb201" or "fbnet".

Returns a SearchResult, also when no probed architecture meets the budget (feasible False).
Ctrl-C raises simnas.Interrupted (a KeyboardInterrupt) with the probes so far kept: search again
with the same run_id to resume.)doc");

  m.def(
      "strategies",
      [](const std::string& space) -> py::object {
        (void)SpaceOf(space);  // an unknown space is refused
        py::list names;
        for (const StrategyInfo& s : ListStrategies()) names.append(s.name);
        return names;
      },
      py::arg("space") = "nb201",
      "The strategies simnas.search() knows (every space; one that needs what the space lacks is refused when it "
      "runs).");

  m.def(
      "bench",
      [](std::optional<std::filesystem::path> config, const std::filesystem::path& out,
         std::optional<std::filesystem::path> report, std::optional<std::filesystem::path> proxy_dir,
         std::optional<std::string> aggregate, bool report_only) {
        BenchRequest request;
        request.config = config.value_or(std::filesystem::path());
        request.out = out;
        request.report = report.value_or(std::filesystem::path());
        request.proxy_dir = proxy_dir.value_or(std::filesystem::path());
        request.aggregate = aggregate.value_or("");
        request.report_only = report_only;
        request.command = fmt::format("simnas.bench(config={}, out={})",
                                      request.config.empty() ? "None" : "'" + request.config.string() + "'",
                                      "'" + out.string() + "'");
        const BenchOutcome outcome = Released([&] {
          const std::unique_ptr<Cluster> cluster = SingleProcessCluster();
          return RunBenchRequest(Ws(), *cluster, request);
        });
        py::dict d;
        d["report"] = outcome.report.string();
        d["runs"] = outcome.runs;
        d["stale"] = outcome.stale;
        d["winner"] = outcome.winner.empty() ? py::object(py::none()) : py::object(py::str(outcome.winner));
        return d;
      },
      py::kw_only(), py::arg("config") = py::none(), py::arg("out"), py::arg("report") = py::none(),
      py::arg("proxy_dir") = py::none(), py::arg("aggregate") = py::none(), py::arg("report_only") = false,
      R"doc(Run a benchmark configuration as `simnas bench` does (default: the shipped
configs/bench-full.json) into the folder `out` (runs.jsonl, figures, summary.csv; resumable:
finished runs are kept) and write its Markdown report (default <out>/report.md). Returns a dict:
report, runs, stale, winner.)doc");
}

}  // namespace simnas::python
