// Everything in the data folder, loaded on first use and cached: the NATS-Bench index, the
// device latency tables, the accuracy tables. Safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/accuracy_table.h"
#include "simnas/data/data_dir.h"
#include "simnas/data/latency_table.h"
#include "simnas/search_space/search_space.h"

namespace simnas {

// Reads HELP's str_arch2idx.pt and builds the NATS-Bench numbering from it. Throws DataError
// naming the file and the first bad entry.
SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file);

class BenchmarkData {
 public:
  explicit BenchmarkData(DataDir dir) : dir_(std::move(dir)) {}
  // Benchmark data given whole in memory (tests build small fixtures this way): nothing is
  // read from a folder; a table or dataset that was not given is a DataError. `dir()` is empty.
  BenchmarkData(SearchSpace space, std::vector<LatencyTable> tables, std::vector<AccuracyTable> accuracy);

  const DataDir& dir() const { return dir_; }
  const SearchSpace& space() const;
  // A benchmark device table by name (e.g. "pixel3"). Throws DataError if there is none.
  const LatencyTable& DeviceTable(const std::string& device) const;
  const AccuracyTable& Accuracy(Dataset dataset) const;
  // Names of the benchmark device tables present in the data folder, sorted.
  std::vector<std::string> DeviceNames() const;
  std::vector<std::string> TrainDevices() const;
  std::vector<std::string> TestDevices() const;

 private:
  DataDir dir_;
  bool in_memory_ = false;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<SearchSpace> space_;
  mutable std::map<std::string, std::unique_ptr<LatencyTable>> tables_;
  mutable std::map<Dataset, std::unique_ptr<AccuracyTable>> accuracy_;
};

}  // namespace simnas
