#include "simnas/spaces/nb201/benchmark_data.h"

#include "simnas/data/pickle.h"

namespace simnas {

SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file) {
  return SearchSpace::FromIndexMap(LoadPickledStringIntDict(arch_index_file), arch_index_file.string());
}

}  // namespace simnas
