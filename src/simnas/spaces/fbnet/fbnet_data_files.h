// The files of HELP's FBNet data (help-fbnet/) with their published SHA-256, upstream addresses
// and content checks: what `simnas data fetch` fills.
#pragma once

#include <vector>

#include "simnas/data/fetch.h"

namespace simnas {

std::vector<DataFileSpec> FbnetDataFiles();

}  // namespace simnas
