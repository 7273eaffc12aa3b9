#include "simnas/data/data_dir.h"

#include <cstdlib>

namespace simnas {

DataDir DataDir::Resolve(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return DataDir(*flag);
  if (const char* env = std::getenv("SIMNAS_DATA"); env != nullptr && *env != '\0') return DataDir(env);
  return DataDir(std::filesystem::path(SIMNAS_SOURCE_DIR) / "data");
}

std::filesystem::path DataDir::AccuracyFile(Dataset dataset) const {
  return root_ / "nats-bench-accuracy" / (std::string(DatasetName(dataset)) + "_perfmetrics.txt");
}

}  // namespace simnas
