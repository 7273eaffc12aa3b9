// A space's data in one data folder, each file read on first use and kept: the numbered
// architectures, the device latency tables (aligned with the numbering), the train/test split,
// and the measured accuracy where the space has one. Safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/data/dataset.h"
#include "simnas/data/latency_table.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space.h"

namespace simnas {

class SpaceData {
 public:
  SpaceData(const Space& space, DataDir dir) : space_(&space), dir_(std::move(dir)) {}
  // Data given whole in memory (tests): nothing is read from a folder; a table or accuracy that
  // was not given is a DataError. `dir()` is empty.
  SpaceData(const Space& space, CandidateSet numbering, std::vector<LatencyTable> tables,
            std::map<Dataset, std::vector<double>> accuracy = {});

  const Space& space() const { return *space_; }
  const DataDir& dir() const { return dir_; }
  // The space's numbered architectures.
  const CandidateSet& Numbering() const;
  // A device's table by name (e.g. "pixel3"). Throws DataError naming the known devices.
  const LatencyTable& DeviceTable(const std::string& device) const;
  bool HasDeviceTable(const std::string& device) const;
  // Names of the device tables present, sorted; and the split among them.
  std::vector<std::string> DeviceNames() const;
  std::vector<std::string> TrainDevices() const;
  std::vector<std::string> TestDevices() const;
  // The device tables and then the space's own devices (Space::OwnDeviceNames, opened as
  // table:NAME); and the test devices among them (the "test" group of a benchmark).
  std::vector<std::string> AllDeviceNames() const;
  std::vector<std::string> AllTestDevices() const;
  // Measured accuracy per numbered architecture, or nullptr when the space has none for
  // `dataset`. For evaluation and reports only.
  const std::vector<double>* Accuracy(Dataset dataset) const;
  // The same, throwing DataError naming the space and dataset when there is none.
  const std::vector<double>& RequireAccuracy(Dataset dataset) const;

 private:
  const Space* space_;
  DataDir dir_;
  bool in_memory_ = false;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<CandidateSet> numbering_;
  mutable std::map<std::string, std::unique_ptr<LatencyTable>> tables_;
  mutable std::map<Dataset, std::optional<std::vector<double>>> accuracy_;
  std::vector<std::string> names_;  // in memory: the tables given
};

}  // namespace simnas
