// `random`: distinct random candidates until the probe budget is spent. When the candidates are
// the whole space, each is a uniform draw of the space (Space::RandomArch, the space's own
// draw); when they are a sample, a seeded random order of the candidates.
#pragma once

#include "simnas/strategies/strategy.h"

namespace simnas {

class RandomSearch : public Strategy {
 public:
  std::string name() const override { return "random"; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

}  // namespace simnas
