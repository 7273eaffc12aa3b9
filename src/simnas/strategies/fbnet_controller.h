// `controller` under --space fbnet: the controller meta-trained with PPO on synthetic FBNet
// devices (controller/fbnet_episode.h, the FBNet decision process), deployed with the session's
// probes on HELP's candidates. Its model is models/controller/fbnet.ctl (a model trained for
// NAS-Bench-201's process is refused in one line), loaded on the first search. It takes its most
// likely action (greedy), so it is deterministic and ignores the seed. Every latency it sees is
// a probe of the session; the answer is ChooseFbnetAnswer's, like every FBNet strategy's.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/fbnet_episode.h"
#include "simnas/strategies/fbnet_search.h"

namespace simnas {

class FbnetControllerStrategy : public FbnetStrategy {
 public:
  explicit FbnetControllerStrategy(std::filesystem::path model) : model_path_(std::move(model)) {}
  std::string name() const override { return "controller"; }
  void Search(ProbeSession& session, const FbnetSearchInputs& inputs, double budget_ms, std::uint64_t seed) override;
  const std::filesystem::path& model_path() const { return model_path_; }

 private:
  std::filesystem::path model_path_;
  std::mutex mutex_;
  std::optional<ControllerModel> model_;
  FbnetEnvConfig config_;
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
  std::unique_ptr<FbnetProcessData> data_;
};

}  // namespace simnas
