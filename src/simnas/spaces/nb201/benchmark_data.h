// NAS-Bench-201's data seen as cells: the NATS-Bench numbering as a SearchSpace (cell <->
// index), the device tables and the accuracy tables, over the space's generic data
// (space/space_data.h), which it owns or views.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/data/dataset.h"
#include "simnas/data/latency_table.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {

// Reads HELP's str_arch2idx.pt and builds the NATS-Bench numbering from it. Throws DataError
// naming the file and the first bad entry.
SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file);

class BenchmarkData {
 public:
  explicit BenchmarkData(DataDir dir);
  // A view of `data` (the nb201 space's; Error otherwise), which must outlive this object.
  explicit BenchmarkData(const SpaceData& data);
  // Benchmark data given whole in memory (tests build small fixtures this way): nothing is
  // read from a folder; a table or dataset that was not given is a DataError. `dir()` is empty.
  BenchmarkData(SearchSpace space, std::vector<LatencyTable> tables, std::vector<AccuracyTable> accuracy);

  // The space's generic data.
  const SpaceData& space_data() const { return *data_; }
  const DataDir& dir() const { return data_->dir(); }
  const SearchSpace& space() const;
  // A benchmark device table by name (e.g. "pixel3"). Throws DataError if there is none.
  const LatencyTable& DeviceTable(const std::string& device) const { return data_->DeviceTable(device); }
  const AccuracyTable& Accuracy(Dataset dataset) const;
  // Names of the benchmark device tables present in the data folder, sorted.
  std::vector<std::string> DeviceNames() const { return data_->DeviceNames(); }
  std::vector<std::string> TrainDevices() const { return data_->TrainDevices(); }
  std::vector<std::string> TestDevices() const { return data_->TestDevices(); }

 private:
  std::shared_ptr<const SpaceData> owned_;
  const SpaceData* data_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<SearchSpace> space_;
  mutable std::map<Dataset, std::unique_ptr<AccuracyTable>> accuracy_;
};

}  // namespace simnas
