// The files of NAS-Bench-201's data (help-nasbench201/, nats-bench-accuracy/) with their
// published SHA-256, upstream addresses and content checks: what `simnas data fetch` fills.
#pragma once

#include <vector>

#include "simnas/data/fetch.h"

namespace simnas {

std::vector<DataFileSpec> Nb201DataFiles();

}  // namespace simnas
