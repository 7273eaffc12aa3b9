// Plots: a gnuplot script rendered to a PNG file (gnuplot-nox, pngcairo terminal). The
// script sets everything but the terminal and output, which this function adds; data it
// plots is usually written next to the PNG (.dat files) so the figure can be redrawn.
#pragma once

#include <filesystem>
#include <string>

namespace simnas {

// Renders `script` into `png` atomically. Throws Error with gnuplot's first error line.
void RenderGnuplot(const std::string& script, const std::filesystem::path& png, int width = 900, int height = 600);

// Quotes a path or label for use inside a gnuplot script ('...' with quotes escaped).
// Throws ParseError for text with a control character (a newline would start a command).
std::string GnuplotQuote(const std::string& text);

}  // namespace simnas
