// Architectures of any registered space (space/arch.h): parse, print, compare, their numbering.
#include <fmt/format.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/space/space.h"
#include "simnas/space/registry.h"

namespace simnas::python {
void BindArchs(py::module_& m) {
  py::class_<Arch>(m, "Arch", R"doc(One architecture of a registered search space (simnas.spaces() lists them).

Arch.parse(text, space="nb201") reads the space's canonical string, str(arch) prints it;
simnas.arch(index, space=...) and simnas.index_of(arch) use the space's numbering (NAS-Bench-201:
NATS-Bench indices; FBNet and ofa-mbv3: the row among HELP's 5,000 networks).)doc")
      .def_static(
          "parse", [](const std::string& text, const std::string& space) { return SpaceOf(space).Parse(text); },
          py::arg("text"), py::arg("space") = "nb201",
          "The architecture `text` spells in `space`. Raises ParseError naming the offending part.")
      .def_property_readonly(
          "space", [](const Arch& a) { return std::string(a.space_name()); }, "The space's name, e.g. \"nb201\", \"fbnet\" or \"ofa-mbv3\".")
      .def_property_readonly(
          "choices",
          [](const Arch& a) {
            py::list out;
            for (int p = 0; p < a.space().positions(); ++p) {
              out.append(py::make_tuple(a.space().PositionName(p), a.space().ChoiceName(p, a.choice(p))));
            }
            return out;
          },
          "The choice at every position as (position, choice) names, in the space's order: a cell's six "
          "edges (\"edge 1<-0\", \"nor_conv_3x3\"), an FBNet network's 22 blocks, an ofa-mbv3 network's depths, "
          "kernels, expansions and resolution.")
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
      "spaces",
      [] {
        py::list out;
        for (const Space* s : Spaces()) out.append(py::make_tuple(std::string(s->name()), std::string(s->title())));
        return out;
      },
      "The registered search spaces as (name, title), the default first.");
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
