#include "simnas/strategies/search_setup.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/space/space.h"

namespace simnas {

const LatencyTable& ProxyDeviceTable(const SearchContext& context) {
  if (context.proxy != nullptr) return *context.proxy;
  const std::vector<const LatencyTable*>& tables = context.train_tables;
  if (tables.empty()) throw Error("search: no train table to rank the candidates by");
  return *tables[tables.size() == 1 ? 0 : ChooseProxyDevice(tables)];
}

std::vector<const LatencyTable*> TrainTablesFor(const SpaceData& data, const Device& target) {
  const LatencyTable* own = target.ReplayedTable();
  std::vector<const LatencyTable*> tables;
  for (const std::string& name : data.TrainDevices()) {
    if (own != nullptr && own->name() == name) continue;  // leave the target out
    tables.push_back(&data.DeviceTable(name));
  }
  return tables;
}

SearchSetup::SearchSetup(const SpaceData& data, const Device& target, const ScoreTable& scores_by_number,
                         std::optional<Dataset> accuracy_dataset) {
  const std::vector<double>* accuracy = accuracy_dataset ? data.Accuracy(*accuracy_dataset) : nullptr;
  Build(data.Numbering(), target, scores_by_number, TrainTablesFor(data, target), accuracy);
}

SearchSetup::SearchSetup(const CandidateSet& numbering, const Device& target, const ScoreTable& scores_by_number,
                         const std::vector<const LatencyTable*>& train_tables_by_number,
                         const std::vector<double>* accuracy_by_number) {
  Build(numbering, target, scores_by_number, train_tables_by_number, accuracy_by_number);
}

void SearchSetup::Build(const CandidateSet& numbering, const Device& target, const ScoreTable& scores_by_number,
                        const std::vector<const LatencyTable*>& train_tables, const std::vector<double>* accuracy) {
  if (scores_by_number.size() != numbering.size()) {
    throw Error(fmt::format("score {} holds {} values for the {} {}s of {}", scores_by_number.name(),
                            scores_by_number.size(), numbering.size(), numbering.space().arch_noun(),
                            numbering.source()));
  }
  for (const LatencyTable* t : train_tables) {
    if (static_cast<int>(t->values().size()) != numbering.size()) {
      throw Error(fmt::format("train table {} holds {} latencies for the {} {}s of {}", t->name(), t->values().size(),
                              numbering.size(), numbering.space().arch_noun(), numbering.source()));
    }
  }
  const LatencyTable* replayed = target.ReplayedTable();
  const bool partial = replayed != nullptr && !replayed->Complete() &&
                       static_cast<int>(replayed->values().size()) == numbering.size();
  if (!partial) {
    context_.candidates = &numbering;
    scores_ = scores_by_number;
    context_.train_tables = train_tables;
    if (accuracy != nullptr) context_.accuracy = accuracy;
  } else {
    // The architectures the target's table holds, in numbering order.
    subset_ = std::make_unique<CandidateSet>(numbering.Subset(
        replayed->KnownIndices(), fmt::format("the {} {}s of table {}", replayed->CountKnown(),
                                              numbering.space().arch_noun(), replayed->name())));
    scores_ = ScoreTable(scores_by_number.name(), subset_->Gather(scores_by_number.values()));
    for (const LatencyTable* t : train_tables) {
      gathered_.push_back(std::make_unique<LatencyTable>(t->name(), subset_->Gather(t->values())));
      context_.train_tables.push_back(gathered_.back().get());
    }
    if (accuracy != nullptr) {
      accuracy_ = subset_->Gather(*accuracy);
      context_.accuracy = &accuracy_;
    }
    context_.candidates = subset_.get();
  }
  context_.scores = &scores_;
}

}  // namespace simnas
