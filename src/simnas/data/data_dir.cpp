#include "simnas/data/data_dir.h"

namespace simnas {

std::filesystem::path DataDir::AccuracyFile(Dataset dataset) const {
  return root_ / "nats-bench-accuracy" / (std::string(DatasetName(dataset)) + "_perfmetrics.txt");
}

}  // namespace simnas
