#include "simnas/strategies/evolution.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <random>

#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/strategies/answer.h"
#include "simnas/core/stats.h"

namespace simnas {
namespace {

struct Fitness {
  bool feasible;
  double value;
  bool operator>(const Fitness& o) const { return feasible != o.feasible ? feasible : value > o.value; }
};

}  // namespace

void EvolutionStrategy::Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) {
  std::mt19937_64 rng(task.seed);
  const ProxyScores& proxy = *context.proxy;
  const int budget = session.remaining();
  if (budget <= 0) return;
  const int population_size = std::clamp(static_cast<int>(std::lround(options_.population_share * budget)), 2,
                                         std::max(2, options_.max_population));
  std::deque<Cell> population;
  while (static_cast<int>(population.size()) < population_size && session.remaining() > 0) {
    const Cell cell = RandomCell(rng);
    if (session.WasProbed(ToArch(cell))) continue;
    const ProbeRecord* r = session.TryProbe(ToArch(cell));
    if (r == nullptr) return;
    if (!r->failed()) population.push_back(cell);  // a failed probe has no fitness
  }

  auto fitness = [&](const Cell& cell) {
    const ProbeRecord& r = *session.Find(ToArch(cell));
    if (task.latency_budget_ms) {
      const bool ok = r.measurement.latency_ms <= *task.latency_budget_ms;
      return Fitness{ok, ok ? proxy(r.index) : -r.measurement.latency_ms};
    }
    const auto [lo, hi] =
        RangeOf(session.measured(), [](const ProbeRecord& p) { return p.measurement.latency_ms; });
    return Fitness{true, UnconstrainedReward(proxy.Normalized(r.index), r.measurement.latency_ms, lo, hi)};
  };

  std::bernoulli_distribution cross(options_.crossover);
  while (session.remaining() > 0) {
    // Tournament: distinct members drawn uniformly; the two fittest are the parents.
    const int size = static_cast<int>(population.size());
    const int t = std::clamp(static_cast<int>(std::lround(options_.tournament_share * size)), 2, size);
    std::vector<int> members(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) members[static_cast<std::size_t>(i)] = i;
    std::shuffle(members.begin(), members.end(), rng);
    members.resize(static_cast<std::size_t>(t));
    std::stable_sort(members.begin(), members.end(), [&](int a, int b) {
      return fitness(population[static_cast<std::size_t>(a)]) > fitness(population[static_cast<std::size_t>(b)]);
    });
    const Cell& first = population[static_cast<std::size_t>(members[0])];
    const Cell& second = population[static_cast<std::size_t>(members[1])];
    Cell child = first;
    if (cross(rng)) {
      std::array<Op, kNumEdges> ops = first.ops();
      std::bernoulli_distribution coin(0.5);
      for (int e = 0; e < kNumEdges; ++e) {
        if (coin(rng)) ops[static_cast<std::size_t>(e)] = second.op(e);
      }
      child = Cell(ops);
    }
    child = Mutate(child, rng);
    for (int attempt = 0; attempt < 100 && session.WasProbed(ToArch(child)); ++attempt) child = Mutate(child, rng);
    while (session.WasProbed(ToArch(child))) child = RandomCell(rng);
    const ProbeRecord* r = session.TryProbe(ToArch(child));
    if (r == nullptr) return;
    if (r->failed()) continue;  // the population stays as it was
    population.push_back(child);
    population.pop_front();  // aging: the oldest leaves
  }
}

}  // namespace simnas
