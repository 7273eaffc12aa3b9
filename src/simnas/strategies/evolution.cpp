#include "simnas/strategies/evolution.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <random>

#include "simnas/core/stats.h"
#include "simnas/space/space.h"
#include "simnas/strategies/answer.h"

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
  const Space& space = context.space();
  const ScoreTable& scores = *context.scores;
  const int budget = session.remaining();
  if (budget <= 0) return;
  const int population_size = std::clamp(static_cast<int>(std::lround(options_.population_share * budget)), 2,
                                         std::max(2, options_.max_population));
  std::deque<Arch> population;
  while (static_cast<int>(population.size()) < population_size && session.remaining() > 0) {
    const Arch arch = space.RandomArch(rng);
    if (session.WasProbed(arch)) continue;
    const ProbeRecord* r = session.TryProbe(arch);
    if (r == nullptr) return;
    if (!r->failed()) population.push_back(arch);  // a failed probe has no fitness
  }
  if (population.size() < 2) return;

  auto fitness = [&](const Arch& arch) {
    const ProbeRecord& r = *session.Find(arch);
    if (task.latency_budget_ms) {
      const bool ok = r.measurement.latency_ms <= *task.latency_budget_ms;
      return Fitness{ok, ok ? scores(r.index) : -r.measurement.latency_ms};
    }
    const auto [lo, hi] =
        RangeOf(session.measured(), [](const ProbeRecord& p) { return p.measurement.latency_ms; });
    return Fitness{true, UnconstrainedReward(scores.Normalized(r.index), r.measurement.latency_ms, lo, hi)};
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
    const Arch& first = population[static_cast<std::size_t>(members[0])];
    const Arch& second = population[static_cast<std::size_t>(members[1])];
    Arch child = first;
    if (cross(rng)) {
      Arch::Choices choices = first.choices();
      std::bernoulli_distribution coin(0.5);
      for (int p = 0; p < space.positions(); ++p) {
        if (coin(rng)) choices[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(second.choice(p));
      }
      child = space.MakeArch(std::move(choices));
    }
    child = space.Mutate(child, rng);
    for (int attempt = 0; attempt < 100 && session.WasProbed(child); ++attempt) child = space.Mutate(child, rng);
    while (session.WasProbed(child)) child = space.RandomArch(rng);
    const ProbeRecord* r = session.TryProbe(child);
    if (r == nullptr) return;
    if (r->failed()) continue;  // the population stays as it was
    population.push_back(child);
    population.pop_front();  // aging: the oldest leaves
  }
}

}  // namespace simnas
