#include "simnas/spaces/nb201/benchmark_data.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/pickle.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {

SearchSpace LoadSearchSpace(const std::filesystem::path& arch_index_file) {
  return SearchSpace::FromIndexMap(LoadPickledStringIntDict(arch_index_file), arch_index_file.string());
}

BenchmarkData::BenchmarkData(DataDir dir)
    : owned_(std::make_shared<SpaceData>(Nb201Space(), std::move(dir))), data_(owned_.get()) {}

BenchmarkData::BenchmarkData(const SpaceData& data) : data_(&data) {
  if (&data.space() != &Nb201Space()) {
    throw Error(fmt::format("NAS-Bench-201 data asked of the {} space's data", data.space().name()));
  }
}

BenchmarkData::BenchmarkData(SearchSpace space, std::vector<LatencyTable> tables, std::vector<AccuracyTable> accuracy) {
  std::map<Dataset, std::vector<double>> by_dataset;
  for (AccuracyTable& a : accuracy) by_dataset[a.dataset] = a.test_accuracy;
  CandidateSet numbering = space.candidates();
  space_ = std::make_unique<SearchSpace>(std::move(space));
  owned_ = std::make_shared<SpaceData>(Nb201Space(), std::move(numbering), std::move(tables), std::move(by_dataset));
  data_ = owned_.get();
}

const SearchSpace& BenchmarkData::space() const {
  std::lock_guard lock(mutex_);
  if (!space_) {
    const CandidateSet& cells = data_->Numbering();
    std::vector<std::pair<std::string, long long>> entries;
    entries.reserve(static_cast<std::size_t>(cells.size()));
    for (int i = 0; i < cells.size(); ++i) entries.emplace_back(cells.at(i).ToString(), cells.NumberOf(i));
    space_ = std::make_unique<SearchSpace>(SearchSpace::FromIndexMap(entries, cells.source()));
  }
  return *space_;
}

const AccuracyTable& BenchmarkData::Accuracy(Dataset dataset) const {
  std::lock_guard lock(mutex_);
  auto& slot = accuracy_[dataset];
  if (!slot) {
    const std::vector<double>* values = data_->Accuracy(dataset);
    if (values == nullptr) {
      throw DataError(fmt::format("no {} accuracy in the benchmark data", DatasetName(dataset)));
    }
    slot = std::make_unique<AccuracyTable>(AccuracyTable{dataset, *values});
  }
  return *slot;
}

}  // namespace simnas
