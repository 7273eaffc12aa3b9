// HELP's published answers to its latency-constrained NAS table (MetaD2A + HELP, 10 target
// samples, CIFAR-100): architecture_config/<device>/latency_<L>ms_accuracy_<A>.txt, one
// architecture string per file. Used only as a fixed published row in reports.
#pragma once

#include <string>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

struct HelpAnswer {
  std::string device;          // our table name ("eyeriss" for HELP's "asic-eyeriss")
  double reported_latency_ms;  // from the file name
  double reported_accuracy;    // from the file name
  Cell cell;
};

// Sorted by device, then reported latency. Throws DataError on a malformed file.
std::vector<HelpAnswer> LoadHelpAnswers(const DataDir& dir);

}  // namespace simnas
