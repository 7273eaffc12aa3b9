#include "simnas/strategies/random_search.h"

#include "simnas/spaces/nb201/nb201_space.h"

#include <random>

namespace simnas {

void RandomSearch::Search(ProbeSession& session, const SearchTask& task, const SearchContext& /*context*/) {
  std::mt19937_64 rng(task.seed);
  while (session.remaining() > 0) {
    const Cell cell = RandomCell(rng);
    if (!session.WasProbed(ToArch(cell)) && session.TryProbe(ToArch(cell)) == nullptr) return;
  }
}

}  // namespace simnas
