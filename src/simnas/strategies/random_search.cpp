#include "simnas/strategies/random_search.h"

#include <random>

namespace simnas {

void RandomSearch::Search(ProbeSession& session, const SearchTask& task, const SearchContext& /*context*/) {
  std::mt19937_64 rng(task.seed);
  while (session.remaining() > 0) {
    const Cell cell = RandomCell(rng);
    if (!session.WasProbed(cell) && session.TryProbe(cell) == nullptr) return;
  }
}

}  // namespace simnas
