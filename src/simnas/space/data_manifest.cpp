#include "simnas/space/data_manifest.h"

#include <set>

#include "simnas/space/registry.h"

namespace simnas {

std::vector<DataFileSpec> DataManifest() {
  std::vector<DataFileSpec> manifest = {CifarSampleFileSpec()};
  std::set<std::string> paths = {manifest.front().path};
  for (const Space* space : Spaces()) {
    for (DataFileSpec& f : space->DataFiles()) {
      if (paths.insert(f.path).second) manifest.push_back(std::move(f));
    }
  }
  return manifest;
}

}  // namespace simnas
