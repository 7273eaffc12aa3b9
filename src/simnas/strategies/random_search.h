// `random`: probes distinct uniformly random cells until the budget is spent.
#pragma once

#include "simnas/strategies/strategy.h"

namespace simnas {

class RandomSearch : public Strategy {
 public:
  std::string name() const override { return "random"; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
};

}  // namespace simnas
