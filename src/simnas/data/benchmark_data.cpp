#include "simnas/data/benchmark_data.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/device_split.h"
#include "simnas/data/pickle.h"

namespace simnas {

SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file) {
  return SearchSpace::FromIndexMap(LoadPickledStringIntDict(arch_index_file), arch_index_file.string());
}
namespace fs = std::filesystem;

BenchmarkData::BenchmarkData(SearchSpace space, std::vector<LatencyTable> tables, std::vector<AccuracyTable> accuracy)
    : dir_(DataDir(fs::path())), in_memory_(true), space_(std::make_unique<SearchSpace>(std::move(space))) {
  for (LatencyTable& t : tables) {
    const std::string name = t.name();
    tables_[name] = std::make_unique<LatencyTable>(std::move(t));
  }
  for (AccuracyTable& a : accuracy) {
    const Dataset d = a.dataset;
    accuracy_[d] = std::make_unique<AccuracyTable>(std::move(a));
  }
}

const SearchSpace& BenchmarkData::space() const {
  std::lock_guard lock(mutex_);
  if (!space_) space_ = std::make_unique<SearchSpace>(LoadSearchSpace(dir_.ArchIndexFile()));
  return *space_;
}

const LatencyTable& BenchmarkData::DeviceTable(const std::string& device) const {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(device);
  if (it == tables_.end() && in_memory_) {
    throw DataError(fmt::format("no benchmark table for device '{}' in the in-memory benchmark data", device));
  }
  if (it == tables_.end()) {
    const fs::path path = dir_.HelpLatencyFile(device);
    if (!fs::exists(path)) {
      throw DataError(fmt::format("no benchmark table for device '{}' ({} does not exist; `simnas devices` lists "
                                  "the known ones)",
                                  device, path.string()));
    }
    it = tables_.emplace(device, std::make_unique<LatencyTable>(LoadLatencyTable(path))).first;
  }
  return *it->second;
}

const AccuracyTable& BenchmarkData::Accuracy(Dataset dataset) const {
  std::lock_guard lock(mutex_);
  auto it = accuracy_.find(dataset);
  if (it == accuracy_.end() && in_memory_) {
    throw DataError(fmt::format("no {} accuracy in the in-memory benchmark data", DatasetName(dataset)));
  }
  if (it == accuracy_.end()) {
    it = accuracy_.emplace(dataset, std::make_unique<AccuracyTable>(LoadAccuracyTable(dir_.AccuracyFile(dataset), dataset)))
             .first;
  }
  return *it->second;
}

std::vector<std::string> BenchmarkData::DeviceNames() const {
  std::vector<std::string> names;
  if (in_memory_) {
    std::lock_guard lock(mutex_);
    for (const auto& [name, table] : tables_) names.push_back(name);  // a std::map: sorted
    return names;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_.HelpDir(), ec)) {
    const fs::path& p = entry.path();
    if (p.extension() == ".pt" && p.stem() != "str_arch2idx") names.push_back(p.stem().string());
  }
  if (ec) throw DataError(fmt::format("{}: {} (run `simnas data fetch`)", dir_.HelpDir().string(), ec.message()));
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> BenchmarkData::TrainDevices() const { return TrainDevicesAmong(DeviceNames()); }

std::vector<std::string> BenchmarkData::TestDevices() const {
  return SplitAmong(kTestDevices, DeviceNames(), /*test=*/true);
}

}  // namespace simnas
