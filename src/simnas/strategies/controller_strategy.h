// `controller-walk`: the Sim-is-More controller (src/simnas/controller/), meta-trained with PPO
// on synthetic devices, steering single-position changes of an architecture with real
// measurements from the target; it needs the whole space as candidates (its moves reach any
// architecture). Every latency it sees is a probe of the session; it never asks for more distinct
// architectures than the session's budget.
//
// Models: one trained for a latency budget, one for the paper's unconstrained reward (the
// shipped ones: ControllerModelFile(models_dir, space, "default" / "unconstrained")); each is loaded
// on first use.
// Its latency prior (for the observation's predicted latency changes) is fitted on the
// context's train tables, which never include the target's own table.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/walk_tables.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

class ControllerStrategy : public Strategy {
 public:
  ControllerStrategy(std::filesystem::path budget_model, std::filesystem::path unconstrained_model,
                     bool greedy = false);
  std::string name() const override { return name_; }
  StrategyNeeds needs() const override { return {.complete_space = true}; }
  void set_name(std::string name) { name_ = std::move(name); }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;

 private:
  const ControllerModel& Model(bool with_budget);
  const WalkTables& Tables(const SearchContext& context);

  std::filesystem::path budget_path_;
  std::filesystem::path unconstrained_path_;
  bool greedy_;
  std::string name_ = "controller-walk";
  std::mutex mutex_;
  std::optional<ControllerModel> budget_model_;
  std::optional<ControllerModel> unconstrained_model_;
  std::map<std::string, std::unique_ptr<WalkTables>> tables_;  // by candidates, scores and train tables
};

}  // namespace simnas
