// Latency table files of any space (`table:PATH` devices, `measure-all` output): a HELP `.pt`
// list of one latency per numbered architecture, or a simnas CSV (data/latency_table.h) whose
// `arch` column, when present, must name the architecture of each row's index.
#pragma once

#include <filesystem>

#include "simnas/data/latency_table.h"
#include "simnas/space/candidates.h"

namespace simnas {

// Loads `path` as a table over `numbering` (one slot per numbered architecture, NaN where a CSV
// has no row). Throws DataError naming the file, the line and the problem.
LatencyTable LoadTableFile(const std::filesystem::path& path, const CandidateSet& numbering);

}  // namespace simnas
