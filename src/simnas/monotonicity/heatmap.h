// Drawing an SRCC matrix as a heatmap PNG (paper Fig. 4(b)(d), 24) with gnuplot.
#pragma once

#include <filesystem>
#include <string>

#include "simnas/monotonicity/srcc.h"

namespace simnas {

// The gnuplot script that draws `m` (data inline, values printed in the cells), without
// terminal and output, which RenderGnuplot adds.
std::string SrccHeatmapScript(const SrccMatrix& m, const std::string& title);

// Renders that script into `png` with RenderGnuplot (core/gnuplot.h; gnuplot-nox). Throws
// Error with gnuplot's first line of complaint when it is missing or fails.
void DrawSrccHeatmap(const SrccMatrix& m, const std::filesystem::path& png, const std::string& title);

}  // namespace simnas
