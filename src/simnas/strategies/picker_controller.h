// `controller-picker`: the controller meta-trained with PPO on synthetic devices for the
// candidate-picking decision process (controller/picker_episode.h: every action picks a candidate
// by a table prediction and an aim), deployed with the session's probes on the candidates. Its
// model is a file of that process (a walk model is refused in one line), loaded on the first
// search. It takes its most likely action (greedy), so it is deterministic and ignores the seed.
// Every latency it sees is a probe of the session; the answer is the common rule's. Needs a
// latency budget.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/picker_episode.h"
#include "simnas/strategies/strategy.h"

namespace simnas {

class PickerControllerStrategy : public Strategy {
 public:
  explicit PickerControllerStrategy(std::filesystem::path model, std::string name = "controller-picker")
      : model_path_(std::move(model)), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  StrategyNeeds needs() const override { return {.budget = true}; }
  void Search(ProbeSession& session, const SearchTask& task, const SearchContext& context) override;
  const std::filesystem::path& model_path() const { return model_path_; }

 private:
  std::filesystem::path model_path_;
  std::string name_;
  std::mutex mutex_;
  std::optional<ControllerModel> model_;
  PickerEnvConfig config_;
  // The process data of the last inputs (rebuilt when the candidates, objective or tables change).
  struct Key {
    const void* candidates = nullptr;
    std::string objective;
    std::vector<double> objective_scores;
    std::vector<const LatencyTable*> tables;
    const LatencyTable* proxy = nullptr;
    bool operator==(const Key&) const = default;
  };
  Key key_;
  std::unique_ptr<PickerProcessData> data_;
};

}  // namespace simnas
