// NAS-Bench-201's data seen as cells, for tests: the NATS-Bench numbering as a SearchSpace (cell
// <-> index), the device tables and the accuracy tables, over the space's generic data
// (space/space_data.h), which it owns.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/data_dir.h"
#include "simnas/data/dataset.h"
#include "simnas/data/latency_table.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {

class BenchmarkData {
 public:
  explicit BenchmarkData(DataDir dir) : data_(std::make_shared<SpaceData>(Nb201Space(), std::move(dir))) {}
  // Benchmark data given whole in memory (small fixtures): nothing is read from a folder; a table
  // or dataset that was not given is a DataError. `dir()` is empty.
  BenchmarkData(SearchSpace space, std::vector<LatencyTable> tables, std::vector<AccuracyTable> accuracy) {
    std::map<Dataset, std::vector<double>> by_dataset;
    for (AccuracyTable& a : accuracy) by_dataset[a.dataset] = a.test_accuracy;
    CandidateSet numbering = space.candidates();
    space_ = std::make_unique<SearchSpace>(std::move(space));
    data_ = std::make_shared<SpaceData>(Nb201Space(), std::move(numbering), std::move(tables), std::move(by_dataset));
  }

  const SpaceData& space_data() const { return *data_; }
  const DataDir& dir() const { return data_->dir(); }
  const SearchSpace& space() const {
    std::lock_guard lock(mutex_);
    if (!space_) {
      const CandidateSet& cells = data_->Numbering();
      std::vector<std::pair<std::string, long long>> entries;
      for (int i = 0; i < cells.size(); ++i) entries.emplace_back(cells.at(i).ToString(), cells.NumberOf(i));
      space_ = std::make_unique<SearchSpace>(SearchSpace::FromIndexMap(entries, cells.source()));
    }
    return *space_;
  }
  // A device table by name (e.g. "pixel3"). Throws DataError if there is none.
  const LatencyTable& DeviceTable(const std::string& device) const { return data_->DeviceTable(device); }
  const AccuracyTable& Accuracy(Dataset dataset) const {
    std::lock_guard lock(mutex_);
    auto& slot = accuracy_[dataset];
    if (!slot) {
      const std::vector<double>* values = data_->Accuracy(dataset);
      if (values == nullptr) throw DataError(fmt::format("no {} accuracy in the benchmark data", DatasetName(dataset)));
      slot = std::make_unique<AccuracyTable>(AccuracyTable{dataset, *values});
    }
    return *slot;
  }
  std::vector<std::string> DeviceNames() const { return data_->DeviceNames(); }
  std::vector<std::string> TrainDevices() const { return data_->TrainDevices(); }
  std::vector<std::string> TestDevices() const { return data_->TestDevices(); }

 private:
  std::shared_ptr<const SpaceData> data_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<SearchSpace> space_;
  mutable std::map<Dataset, std::unique_ptr<AccuracyTable>> accuracy_;
};

}  // namespace simnas
