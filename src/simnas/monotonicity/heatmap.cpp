#include "simnas/monotonicity/heatmap.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "simnas/core/gnuplot.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

int SrccHeatmapSide(const SrccMatrix& m) {
  return static_cast<int>(std::clamp<std::size_t>(m.devices.size() * 48 + 260, 480, 1600));
}

}  // namespace

std::string SrccHeatmapScript(const SrccMatrix& m, const std::string& title) {
  const std::size_t n = m.devices.size();
  double lo = 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) lo = std::min(lo, m.At(i, j));
  }
  const double cb_min = std::min(0.5, std::floor(lo * 10.0) / 10.0);
  std::string s;
  s += fmt::format("set title {}\n", GnuplotQuote(title));
  s += "unset key\nset size ratio -1\nset tics nomirror out scale 0.5\n";
  s += fmt::format("set xrange [-0.5:{}.5]\nset yrange [{}.5:-0.5]\n", n - 1, n - 1);
  s += fmt::format("set cbrange [{:.1f}:1]\nset cblabel 'SRCC'\n", cb_min);
  s += "set palette defined (0 '#3b4cc0', 0.5 '#f2f2f2', 1 '#b40426')\n";
  std::string xt;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    xt += fmt::format("{}{} {}", sep, GnuplotQuote(m.devices[i]), i);
  }
  s += fmt::format("set xtics rotate by 45 right ({})\nset ytics ({})\n", xt, xt);
  s += "$srcc << EOD\n";
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) s += fmt::format("{} {} {:.4f}\n", j, i, m.At(i, j));
  }
  s += "EOD\n";
  const std::string font = n > 16 ? "DejaVu Sans,6" : "DejaVu Sans,8";
  s += fmt::format("plot $srcc using 1:2:3 with image, $srcc using 1:2:(sprintf('%.2f', $3)) with labels font "
                   "{}\n",
                   GnuplotQuote(font));
  return s;
}

void DrawSrccHeatmap(const SrccMatrix& m, const fs::path& png, const std::string& title) {
  const int side = SrccHeatmapSide(m);
  RenderGnuplot(SrccHeatmapScript(m, title), png, side, side - 40);
}

}  // namespace simnas
