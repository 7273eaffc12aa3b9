// NAS-Bench-201's data files: HELP's NATS-Bench numbering (str_arch2idx.pt) and the list of
// every file the space reads.
#pragma once

#include <filesystem>
#include <vector>

#include "simnas/data/fetch.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

// Reads HELP's str_arch2idx.pt and builds the NATS-Bench numbering from it. Throws DataError
// naming the file and the first bad entry.
SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file);

// The files of help-nasbench201/ and nats-bench-accuracy/ with their published SHA-256,
// upstream addresses and content checks: what `simnas data fetch` fills (nb201_data_files.cpp).
std::vector<DataFileSpec> Nb201DataFiles();

}  // namespace simnas
