#include "simnas/strategies/random_search.h"

#include <numeric>
#include <random>

#include "simnas/space/space.h"

namespace simnas {

void RandomSearch::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  std::mt19937_64 rng(task.seed);
  const CandidateSet& candidates = *context.candidates;
  if (candidates.complete()) {
    while (session.remaining() > 0) {
      const Arch arch = context.space().RandomArch(rng);
      if (!session.WasProbed(arch) && session.TryProbe(arch) == nullptr) return;
    }
    return;
  }
  const int count = candidates.size();
  std::vector<int> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  // Fisher-Yates from the front, one draw per probe (the modulo keeps it the same everywhere).
  for (int k = 0; k < count && session.remaining() > 0; ++k) {
    const int j = k + static_cast<int>(rng() % static_cast<std::uint64_t>(count - k));
    std::swap(order[static_cast<std::size_t>(k)], order[static_cast<std::size_t>(j)]);
    if (session.TryProbe(candidates.at(order[static_cast<std::size_t>(k)])) == nullptr) return;
  }
}

}  // namespace simnas
