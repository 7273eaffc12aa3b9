#include "simnas/core/gnuplot.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"

namespace simnas {
namespace fs = std::filesystem;

std::string GnuplotQuote(const std::string& text) {
  // A newline (or any control character) would end the string's command and start
  // another one, e.g. `system "..."`: such text never reaches gnuplot.
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      throw ParseError(fmt::format("cannot plot with {}: it contains a control character (0x{:02x})", Quoted(text), u));
    }
  }
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else out += c;
  }
  out += "'";
  return out;
}

void RenderGnuplot(const std::string& script, const fs::path& png, int width, int height) {
  const fs::path dir = png.has_parent_path() ? png.parent_path() : fs::path(".");
  fs::create_directories(dir);
  // (fmt rather than string concatenation: GCC 12 warns falsely on the latter, -Wrestrict.)
  const fs::path tmp_png = dir / fmt::format(".{}.tmp", png.filename().string());
  const fs::path script_file = dir / fmt::format(".{}.gp", png.filename().string());
  const std::string full = fmt::format("set terminal pngcairo size {},{} noenhanced font 'Sans,10'\nset output {}\n{}\n",
                                       width, height, GnuplotQuote(tmp_png.string()), script);
  WriteFileAtomically(script_file, full);
  const ProcessResult r = RunProcess({"gnuplot", script_file.string()}, 120);
  std::error_code ec;
  fs::remove(script_file, ec);
  if (!r.started) throw Error(fmt::format("cannot plot {}: {} (install gnuplot-nox)", png.string(), r.error));
  if (r.interrupted) {
    fs::remove(tmp_png, ec);
    throw Interrupted(fmt::format("interrupted while plotting {}", png.string()));
  }
  if (r.timed_out || r.exit_code != 0 || !fs::exists(tmp_png)) {
    // gnuplot echoes the offending command first; its last line says what is wrong.
    std::string why;
    for (const std::string& line : Split(r.err, '\n')) {
      if (!Trim(line).empty()) why = std::string(Trim(line));
    }
    fs::remove(tmp_png, ec);
    throw Error(fmt::format("gnuplot failed for {}: {}", png.string(), why.empty() ? "no output" : why));
  }
  fs::rename(tmp_png, png);
}

}  // namespace simnas
