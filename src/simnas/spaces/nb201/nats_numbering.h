// The NATS-Bench index of every cell: the benchmark's own numbering (from HELP's
// str_arch2idx.pt), which every latency and accuracy table uses. It is not a base-5 count.
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simnas/space/candidates.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

class SearchSpace {
 public:
  // Builds the numbering from (architecture string, index) pairs and validates it: 15,625
  // distinct well-formed architectures with distinct indices in [0, 15625). Throws DataError
  // naming `source` (the file the pairs came from) and the first bad entry. The data layer
  // reads the file (LoadSearchSpace in benchmark_data.h); the space knows no file format.
  static SearchSpace FromIndexMap(const std::vector<std::pair<std::string, long long>>& entries,
                                  const std::string& source);

  // NATS-Bench index of a cell; every cell has one.
  int IndexOf(const Cell& cell) const { return index_of_code_[static_cast<std::size_t>(cell.Code())]; }
  // The cell at a NATS-Bench index. Throws ParseError if out of range.
  Cell CellAt(int index) const;
  static constexpr int size() { return kNumCells; }
  int Count() const { return kNumCells; }
  // The cells as the space's candidate set, by NATS-Bench index (space/candidates.h).
  const CandidateSet& candidates() const { return *candidates_; }
  operator const CandidateSet&() const { return *candidates_; }  // NOLINT(google-explicit-constructor)

 private:
  SearchSpace() = default;
  std::array<std::int16_t, kNumCells> index_of_code_{};
  std::array<std::int16_t, kNumCells> code_at_index_{};
  std::shared_ptr<const CandidateSet> candidates_;
};

}  // namespace simnas
