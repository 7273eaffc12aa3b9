// What a search on one target device knows, built once and kept while the search runs: the
// candidates (the space's numbered architectures, or the ones a partial table device holds),
// the scores, the train devices' latencies and (reports only) the accuracy, all aligned with the
// candidates. Owns what it gathers; its context() points into it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/devices/device.h"
#include "simnas/space/space_data.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

class SearchSetup {
 public:
  // `scores_by_number`: one score per numbered architecture of `data`'s space (its name printed
  // by reports). The train tables are the space's train devices but the target's own table (a
  // replayed benchmark table) — never a test device's. When the target replays a table that
  // holds only some of the numbered architectures, the candidates are those. Accuracy (reports
  // only) is attached when the space has one for `accuracy_dataset`.
  // Throws DataError when a train table is missing.
  SearchSetup(const SpaceData& data, const Device& target, const ScoreTable& scores_by_number,
              std::optional<Dataset> accuracy_dataset = std::nullopt);
  // The same with the train tables given (already aligned with the numbering; a benchmark that
  // leaves other tables out, or tests).
  SearchSetup(const CandidateSet& numbering, const Device& target, const ScoreTable& scores_by_number,
              const std::vector<const LatencyTable*>& train_tables_by_number,
              const std::vector<double>* accuracy_by_number = nullptr);
  SearchSetup(const SearchSetup&) = delete;
  SearchSetup& operator=(const SearchSetup&) = delete;

  const SearchContext& context() const { return context_; }
  const CandidateSet& candidates() const { return *context_.candidates; }
  const ScoreTable& scores() const { return *context_.scores; }

 private:
  void Build(const CandidateSet& numbering, const Device& target, const ScoreTable& scores_by_number,
             const std::vector<const LatencyTable*>& train_tables_by_number, const std::vector<double>* accuracy);

  std::unique_ptr<CandidateSet> subset_;
  ScoreTable scores_;
  std::vector<std::unique_ptr<LatencyTable>> gathered_;
  std::vector<double> accuracy_;
  SearchContext context_;
};

// The train tables of `data` for a search on `target`: every train device's table but the
// target's own (a replayed benchmark table of the same name).
std::vector<const LatencyTable*> TrainTablesFor(const SpaceData& data, const Device& target);

}  // namespace simnas
