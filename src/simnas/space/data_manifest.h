// Every file the data folder holds: the CIFAR-10 sample the proxies read, and what each known
// search space declares (Space::DataFiles), each path once. What `simnas data fetch | verify`
// work through (data/fetch.h).
#pragma once

#include <vector>

#include "simnas/data/fetch.h"

namespace simnas {

std::vector<DataFileSpec> DataManifest();

}  // namespace simnas
