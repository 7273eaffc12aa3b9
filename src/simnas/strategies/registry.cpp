#include "simnas/strategies/registry.h"

#include <functional>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/strategies/evolution.h"
#include "simnas/strategies/lut_prior.h"
#include "simnas/strategies/one_proxy.h"
#include "simnas/strategies/oracle.h"
#include "simnas/strategies/random_search.h"
#include "simnas/strategies/safe_climb.h"

namespace simnas {
namespace {

struct Entry {
  StrategyInfo info;
  std::function<std::unique_ptr<Strategy>(const StrategyResources&)> make;
};

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {{"random", "k distinct random cells measured; best feasible by proxy", false},
       [](const StrategyResources&) { return std::make_unique<RandomSearch>(); }},
      {{"one-proxy", "One Proxy Device, Algorithm 1: sample set, SRCC check, AdaProxy, Pareto set measured", false},
       [](const StrategyResources&) { return std::make_unique<OneProxyStrategy>(); }},
      {{"evolution", "FreeREA-style evolution, proxy fitness, every individual probed", false},
       [](const StrategyResources&) { return std::make_unique<EvolutionStrategy>(); }},
      {{"lut-prior", "mean train-device op table ranks zero-shot; probes bisect its Pareto front", false},
       [](const StrategyResources&) { return std::make_unique<LutPriorStrategy>(); }},
      {{"safe-climb", "refits the target's latency from the probes; probes the best proxy predicted to fit", false},
       [](const StrategyResources&) { return std::make_unique<SafeClimbStrategy>(); }},
      {{"controller", "Sim-is-More: PPO policy meta-trained on synthetic devices (models/controller/) walks the space",
        false},
       [](const StrategyResources& r) {
         return std::make_unique<ControllerStrategy>(r.controller_model, r.unconstrained_controller_model);
       }},
      {{"oracle", "reports only: best test accuracy within the budget from the full table", true},
       [](const StrategyResources& r) { return std::make_unique<OracleStrategy>(OracleTarget::kAccuracy, r.data_dir); }},
      {{"proxy-oracle", "reports only: best proxy score within the budget from the full table", true},
       [](const StrategyResources&) { return std::make_unique<OracleStrategy>(OracleTarget::kProxy); }},
  };
  return entries;
}

}  // namespace

std::unique_ptr<Strategy> MakeStrategy(const std::string& name, const StrategyResources& resources) {
  for (const Entry& e : Entries()) {
    if (e.info.name == name) return e.make(resources);
  }
  std::string known;
  for (const Entry& e : Entries()) known += (known.empty() ? "" : ", ") + e.info.name;
  throw ParseError(fmt::format("unknown strategy {}; expected one of {}", Quoted(name), known));
}

std::vector<StrategyInfo> ListStrategies() {
  std::vector<StrategyInfo> out;
  for (const Entry& e : Entries()) out.push_back(e.info);
  return out;
}

std::string DefaultStrategyName() { return "safe-climb"; }

}  // namespace simnas
