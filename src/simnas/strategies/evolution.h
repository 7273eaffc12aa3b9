// `evolution`: FreeREA-style regularized evolution (Cavagnero et al., 2022) with the score as
// fitness and probes as the only source of latency, in any space whose candidates are the whole
// space (its moves reach any architecture: StrategyNeeds::complete_space). Every individual that enters
// the population is probed on the target (its latency decides its fitness), so the probe
// budget bounds the number of individuals.
//
//  - initial population: `population` distinct random architectures (Space::RandomArch), probed;
//  - each cycle: a tournament of `tournament` distinct members drawn uniformly; the two
//    fittest are the parents; the child is a uniform per-position crossover of them (with
//    probability `crossover`, else a copy of the fittest), then one random single-position
//    mutation (Space::Mutate); a child probed before is mutated again (up to 100 times, then a
//    random architecture);
//  - aging: the child joins, the oldest member leaves.
// Fitness with a latency budget: feasible ones by score, above every infeasible one;
// infeasible ones by lower measured latency (so an all-infeasible population moves towards
// faster architectures). Without one: the paper's reward, latency normalized over the probes so far.
#pragma once

#include "simnas/strategies/strategy.h"

namespace simnas {

struct EvolutionOptions {
  // Initial population: this share of the probe budget, clamped to [2, max_population].
  double population_share = 0.5;
  int max_population = 25;  // FreeREA's population size
  // Tournament size: this share of the population, at least 2.
  double tournament_share = 0.5;
  double crossover = 0.5;
};

class EvolutionStrategy : public Strategy {
 public:
  explicit EvolutionStrategy(EvolutionOptions options = {}) : options_(options) {}
  std::string name() const override { return "evolution"; }
  StrategyNeeds needs() const override { return {.complete_space = true}; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

 private:
  EvolutionOptions options_;
};

}  // namespace simnas
