#include "simnas/space/table_file.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/space/space.h"

namespace simnas {

LatencyTable LoadTableFile(const std::filesystem::path& path, const CandidateSet& numbering) {
  if (path.extension() != ".csv") return LoadPickledLatencyTable(path, numbering.size());
  std::vector<CsvArchCell> arch_cells;
  LatencyTable table = LoadLatencyCsv(path, numbering.size(), &arch_cells);
  const Space& space = numbering.space();
  for (const CsvArchCell& cell : arch_cells) {
    const Arch& expected = numbering.at(cell.index);
    bool same = false;
    try {
      same = space.Parse(cell.arch) == expected;
    } catch (const ParseError&) {
    }
    if (!same) {
      throw DataError(fmt::format("{}:{}: arch {} is not the {} of index {} ({})", path.string(), cell.line,
                                  Quoted(cell.arch), space.arch_noun(), cell.index, expected.ToString()));
    }
  }
  return table;
}

}  // namespace simnas
