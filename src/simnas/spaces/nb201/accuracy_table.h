// NATS-Bench test accuracy (200-epoch training) of every cell, per dataset. For evaluation
// and reports only: no search strategy may read it to choose an architecture.
#pragma once

#include <filesystem>
#include <vector>

#include "simnas/data/dataset.h"

namespace simnas {

struct AccuracyTable {
  Dataset dataset;
  std::vector<double> test_accuracy;  // percent, by NATS-Bench index
};

// Reads `<dataset>_perfmetrics.txt` (rows: index, test accuracy, epoch time, total time).
// Validates 15,625 rows, every index present once, accuracies finite in [0, 100].
AccuracyTable LoadAccuracyTable(const std::filesystem::path& path, Dataset dataset);

}  // namespace simnas
