// Architectures of either space (search_space/arch.h): parse, print, compare, their numbering.
#include <fmt/format.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/space/space.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/cell.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas::python {
namespace {

py::list CellOps(const Cell& cell) {
  py::list ops;
  for (int e = 0; e < kNumEdges; ++e) {
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    ops.append(py::make_tuple(ends.from, ends.to, std::string(OpName(cell.op(e)))));
  }
  return ops;
}

py::list FbnetBlocks(const FbnetArch& arch) {
  py::list blocks;
  for (FbnetBlock b : arch.blocks()) blocks.append(std::string(FbnetBlockName(b)));
  return blocks;
}

}  // namespace

void BindArchs(py::module_& m) {
  py::class_<Arch>(m, "Arch", R"doc(One architecture: a NAS-Bench-201 cell (space "nb201") or an FBNet network ("fbnet").

Arch.parse(text, space="nb201") reads the space's canonical string, str(arch) prints it;
simnas.arch(index, space=...) and simnas.index_of(arch) use the space's numbering (NATS-Bench
indices; FBNet: the row among HELP's 5,000 networks).)doc")
      .def_static(
          "parse", [](const std::string& text, const std::string& space) { return SpaceOf(space).Parse(text); },
          py::arg("text"), py::arg("space") = "nb201",
          "The architecture `text` spells in `space`. Raises ParseError naming the offending part.")
      .def_property_readonly(
          "space", [](const Arch& a) { return std::string(a.space_name()); }, "The space's name, e.g. \"nb201\" or \"fbnet\".")
      .def_property_readonly(
          "ops",
          [](const Arch& a) -> py::object {
            if (&a.space() != &Nb201Space()) return py::none();
            return CellOps(CellOf(a));
          },
          "A cell's six edges as (from node, to node, operation); None for an FBNet network.")
      .def_property_readonly(
          "blocks",
          [](const Arch& a) -> py::object {
            if (&a.space() != &FbnetSpace()) return py::none();
            return FbnetBlocks(FbnetOf(a));
          },
          "An FBNet network's 22 block names, layer 1 first; None for a cell.")
      .def("__str__", &Arch::ToString)
      .def("__repr__", [](const Arch& a) { return fmt::format("simnas.Arch('{}', space='{}')", a.ToString(), a.space_name()); })
      .def("__eq__", [](const Arch& a, const Arch& b) { return a == b; })
      .def("__lt__", [](const Arch& a, const Arch& b) { return a < b; })
      .def("__hash__", [](const Arch& a) { return py::hash(py::str(a.ToString() + "/" + std::string(a.space_name()))); })
      .def(py::pickle([](const Arch& a) { return py::make_tuple(a.ToString(), std::string(a.space_name())); },
                      [](const py::tuple& t) {
                        return SpaceOf(t[1].cast<std::string>()).Parse(t[0].cast<std::string>());
                      }));

  m.def(
      "arch",
      [](int index, const std::string& space) {
        const Space& kind = SpaceOf(space);
        return Released([&] { return Ws().ArchAt(kind, index); });
      },
      py::arg("index"), py::arg("space") = "nb201",
      "The architecture at `index` of the space's numbering (NATS-Bench index 0-15624; FBNet: the "
      "index-th of HELP's 5,000). Reads the data folder. Raises ParseError out of range.");
  m.def(
      "index_of",
      [](const Arch& arch) -> py::object {
        const int index = Released([&] { return Ws().Numbering(arch.space()).IndexOf(arch); });
        if (index < 0) return py::none();
        return py::int_(index);
      },
      py::arg("arch"), "The architecture's index in its space's numbering, or None when it has none.");
  m.def(
      "num_archs", [](const std::string& space) {
        const Space& kind = SpaceOf(space);
        return Released([&] { return Ws().Numbering(kind).size(); });
      },
      py::arg("space") = "nb201", "How many architectures the space numbers (15,625 cells; HELP's 5,000 FBNet networks).");
}

}  // namespace simnas::python
