#include "simnas/strategies/registry.h"

#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/strategies/evolution.h"
#include "simnas/strategies/lut_prior.h"
#include "simnas/strategies/one_proxy.h"
#include "simnas/strategies/oracle.h"
#include "simnas/strategies/picker_controller.h"
#include "simnas/strategies/random_search.h"
#include "simnas/strategies/safe_climb.h"
#include "simnas/strategies/table_strategies.h"

namespace simnas {
namespace {

// A name that stands for two variants: `whole` when the candidates are the whole space, else
// `sample`. Both are made up front; a model file is still read only by the variant that runs.
class ByCandidates : public Strategy {
 public:
  ByCandidates(std::string name, std::unique_ptr<Strategy> whole, std::unique_ptr<Strategy> sample)
      : name_(std::move(name)), whole_(std::move(whole)), sample_(std::move(sample)) {}
  std::string name() const override { return name_; }
  Strategy& For(const SearchContext& context) override {
    return context.candidates->complete() ? *whole_ : *sample_;
  }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override {
    For(context).Search(session, task, context);
  }

 private:
  std::string name_;
  std::unique_ptr<Strategy> whole_;
  std::unique_ptr<Strategy> sample_;
};

std::unique_ptr<Strategy> Walk(const StrategyResources& r, std::string name) {
  auto walk = std::make_unique<ControllerStrategy>(r.controller_model, r.unconstrained_controller_model);
  walk->set_name(std::move(name));
  return walk;
}

struct Entry {
  StrategyInfo info;
  std::function<std::unique_ptr<Strategy>(const StrategyResources&)> make;
};

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {{"random", "distinct random candidates measured; best feasible by score", false},
       [](const StrategyResources&) { return std::make_unique<RandomSearch>(); }},
      {{"one-proxy",
        "One Proxy Device: Algorithm 1 on the whole space (one-proxy-paper), the refitted variant on a sample "
        "(one-proxy-refit)",
        false},
       [](const StrategyResources&) {
         return std::make_unique<ByCandidates>("one-proxy", std::make_unique<OneProxyStrategy>(OneProxyOptions{}, "one-proxy"),
                                               std::make_unique<OneProxyRefitStrategy>("one-proxy"));
       }},
      {{"one-proxy-paper", "One Proxy Device, Algorithm 1: sample set, SRCC check, AdaProxy, Pareto set measured",
        false},
       [](const StrategyResources&) { return std::make_unique<OneProxyStrategy>(); }},
      {{"one-proxy-refit",
        "proxy table as a linear model, AdaProxy refitted after every probe; best score predicted to fit (needs a "
        "budget)",
        false},
       [](const StrategyResources&) { return std::make_unique<OneProxyRefitStrategy>(); }},
      {{"evolution", "FreeREA-style evolution, score fitness, every individual probed (needs the whole space)", false},
       [](const StrategyResources&) { return std::make_unique<EvolutionStrategy>(); }},
      {{"lut-prior", "mean train-device linear table ranks zero-shot; probes bisect its Pareto front", false},
       [](const StrategyResources&) { return std::make_unique<LutPriorStrategy>(); }},
      {{"safe-climb", "refits the target's latency from the probes; probes the best score predicted to fit", false},
       [](const StrategyResources&) { return std::make_unique<SafeClimbStrategy>(); }},
      {{"scaled-proxy", "Pareto front of (proxy table latency, score) bracketed and bisected (needs a budget)", false},
       [](const StrategyResources&) { return std::make_unique<ScaledProxyStrategy>(); }},
      {{"matched-proxy",
        "follows the train table that best matches the probes up to scale; aims lower after misses (needs a budget)",
        false},
       [](const StrategyResources&) { return std::make_unique<MatchedProxyStrategy>(); }},
      {{"controller",
        "Sim-is-More PPO policy meta-trained on synthetic devices: the edit walk on the whole space "
        "(controller-walk), the candidate picker on a sample (controller-picker)",
        false},
       [](const StrategyResources& r) {
         return std::make_unique<ByCandidates>("controller", Walk(r, "controller"),
                                               std::make_unique<PickerControllerStrategy>(r.picker_controller_model,
                                                                                          "controller"));
       }},
      {{"controller-walk", "the controller's edit walk over single-position changes (needs the whole space)", false},
       [](const StrategyResources& r) { return Walk(r, "controller-walk"); }},
      {{"controller-picker", "the controller picking candidates by a table prediction and an aim (needs a budget)",
        false},
       [](const StrategyResources& r) { return std::make_unique<PickerControllerStrategy>(r.picker_controller_model); }},
      {{"oracle", "reports only: best measured accuracy within the budget from the full table", true},
       [](const StrategyResources&) { return std::make_unique<OracleStrategy>(OracleTarget::kAccuracy); }},
      {{"proxy-oracle", "reports only: best score within the budget from the full table", true},
       [](const StrategyResources&) { return std::make_unique<OracleStrategy>(OracleTarget::kProxy); }},
  };
  return entries;
}

}  // namespace

std::string ResolveStrategyName(const std::string& name, const Space& space) {
  return name.empty() || name == "default" ? std::string(space.DefaultStrategy()) : name;
}

std::unique_ptr<Strategy> MakeStrategy(const std::string& name, const StrategyResources& resources,
                                       const Space& space) {
  const std::string resolved = ResolveStrategyName(name, space);
  for (const Entry& e : Entries()) {
    if (e.info.name == resolved) return e.make(resources);
  }
  throw ParseError(fmt::format("unknown strategy {}; expected one of {} (default: the space's, {} for {})",
                               Quoted(name), fmt::join(StrategyNames(), ", "), space.DefaultStrategy(), space.name()));
}

std::vector<StrategyInfo> ListStrategies() {
  std::vector<StrategyInfo> out;
  for (const Entry& e : Entries()) out.push_back(e.info);
  return out;
}

std::vector<std::string> StrategyNames() {
  std::vector<std::string> out;
  for (const Entry& e : Entries()) out.push_back(e.info.name);
  return out;
}

}  // namespace simnas
