#include "simnas/space/space_data.h"

#include <algorithm>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

SpaceData::SpaceData(const Space& space, CandidateSet numbering, std::vector<LatencyTable> tables,
                     std::map<Dataset, std::vector<double>> accuracy)
    : space_(&space), dir_(""), in_memory_(true) {
  numbering_ = std::make_unique<CandidateSet>(std::move(numbering));
  for (LatencyTable& t : tables) {
    // The name first: the right side of the assignment is evaluated (and `t` moved) before the key.
    const std::string name = t.name();
    names_.push_back(name);
    tables_[name] = std::make_unique<LatencyTable>(std::move(t));
  }
  std::sort(names_.begin(), names_.end());
  for (auto& [dataset, values] : accuracy) accuracy_[dataset] = std::move(values);
}

const CandidateSet& SpaceData::Numbering() const {
  std::lock_guard lock(mutex_);
  if (!numbering_) numbering_ = std::make_unique<CandidateSet>(space_->LoadNumbering(dir_));
  return *numbering_;
}

const LatencyTable& SpaceData::DeviceTable(const std::string& device) const {
  std::lock_guard lock(mutex_);
  if (auto it = tables_.find(device); it != tables_.end()) return *it->second;
  if (in_memory_) {
    throw DataError(fmt::format("no {} latency table for device '{}' (known: {})", space_->name(), device,
                                fmt::join(names_, ", ")));
  }
  auto table = std::make_unique<LatencyTable>(space_->LoadDeviceTable(dir_, device));
  const LatencyTable& ref = *table;
  tables_[device] = std::move(table);
  return ref;
}

bool SpaceData::HasDeviceTable(const std::string& device) const {
  std::vector<std::string> names;
  try {
    names = DeviceNames();
  } catch (const DataError&) {
    return false;  // no data folder: no table
  }
  return std::find(names.begin(), names.end(), device) != names.end();
}

std::vector<std::string> SpaceData::DeviceNames() const {
  if (in_memory_) return names_;
  return space_->DeviceTableNames(dir_);
}

namespace {

// The test devices (`test`) or the train devices among `names`, order kept.
std::vector<std::string> OfSplit(const Space& space, const std::vector<std::string>& names, bool test) {
  std::vector<std::string> out;
  for (const std::string& d : names) {
    if (space.IsTestDevice(d) == test) out.push_back(d);
  }
  return out;
}

}  // namespace

std::vector<std::string> SpaceData::TrainDevices() const { return OfSplit(*space_, DeviceNames(), false); }

std::vector<std::string> SpaceData::TestDevices() const { return OfSplit(*space_, DeviceNames(), true); }

std::vector<std::string> SpaceData::AllDeviceNames() const {
  std::vector<std::string> out = DeviceNames();
  for (const std::string& own : space_->OwnDeviceNames()) out.push_back(own);
  return out;
}

std::vector<std::string> SpaceData::AllTestDevices() const { return OfSplit(*space_, AllDeviceNames(), true); }

const std::vector<double>* SpaceData::Accuracy(Dataset dataset) const {
  std::lock_guard lock(mutex_);
  if (auto it = accuracy_.find(dataset); it != accuracy_.end()) return it->second ? &*it->second : nullptr;
  const std::vector<Dataset> known = space_->AccuracyDatasets();
  if (in_memory_ || std::find(known.begin(), known.end(), dataset) == known.end()) {
    accuracy_[dataset] = std::nullopt;
    return nullptr;
  }
  auto& slot = accuracy_[dataset];
  try {
    slot = space_->LoadAccuracy(dir_, dataset);
  } catch (...) {
    accuracy_.erase(dataset);  // a missing or damaged file is named again on the next call, not taken for "none"
    throw;
  }
  return &*slot;
}

const std::vector<double>& SpaceData::RequireAccuracy(Dataset dataset) const {
  const std::vector<double>* a = Accuracy(dataset);
  if (a == nullptr) {
    throw DataError(fmt::format("the {} space has no measured accuracy for {}", space_->name(), DatasetName(dataset)));
  }
  return *a;
}

}  // namespace simnas
