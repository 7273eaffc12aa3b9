#include "simnas/spaces/nb201/nats_numbering.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {

SearchSpace SearchSpace::FromIndexMap(const std::vector<std::pair<std::string, long long>>& entries,
                                      const std::string& source) {
  if (entries.size() != static_cast<std::size_t>(kNumCells)) {
    throw DataError(fmt::format("{}: expected {} architectures, found {}", source, kNumCells,
                                entries.size()));
  }
  SearchSpace space;
  space.index_of_code_.fill(-1);
  space.code_at_index_.fill(-1);
  for (const auto& [arch, index] : entries) {
    Cell cell;
    try {
      cell = Cell::Parse(arch);
    } catch (const ParseError& e) {
      throw DataError(fmt::format("{}: {}", source, e.what()));
    }
    if (index < 0 || index >= kNumCells) {
      throw DataError(fmt::format("{}: index {} of {} is outside [0, {})", source, index, arch,
                                  kNumCells));
    }
    const auto code = static_cast<std::size_t>(cell.Code());
    const auto idx = static_cast<std::size_t>(index);
    if (space.code_at_index_[idx] != -1) {
      throw DataError(fmt::format("{}: index {} appears twice (second time for {})", source,
                                  index, arch));
    }
    if (space.index_of_code_[code] != -1) {
      throw DataError(fmt::format("{}: architecture {} appears twice", source, arch));
    }
    space.code_at_index_[idx] = static_cast<std::int16_t>(code);
    space.index_of_code_[code] = static_cast<std::int16_t>(index);
  }
  std::vector<Arch> archs;
  archs.reserve(kNumCells);
  for (int i = 0; i < kNumCells; ++i) archs.push_back(ToArch(space.CellAt(i)));
  space.candidates_ = std::make_shared<const CandidateSet>(Nb201Space(), std::move(archs), "NATS-Bench's 15,625 cells");
  return space;
}

Cell SearchSpace::CellAt(int index) const {
  if (index < 0 || index >= kNumCells) {
    throw ParseError(fmt::format("architecture index {} is outside [0, {}]", index, kNumCells - 1));
  }
  return Cell::FromCode(code_at_index_[static_cast<std::size_t>(index)]);
}

}  // namespace simnas
