#include "simnas/controller/env_config.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {

EnvConfig EnvConfig::Paper() {
  EnvConfig c;
  c.reward = RewardKind::kPaper;
  c.probes = 0;
  c.horizon = 50;
  c.start = StartKind::kRandom;
  c.synthetic = SyntheticOptions::Paper();
  return c;
}

std::string_view RewardKindName(RewardKind kind) { return kind == RewardKind::kBudget ? "budget" : "paper"; }

std::string_view StartKindName(StartKind kind) {
  switch (kind) {
    case StartKind::kRandom: return "random";
    case StartKind::kBestProxy: return "best-proxy";
    case StartKind::kTopK: return "top-k";
    case StartKind::kPriorQuantile: return "prior-quantile";
  }
  return "?";
}

RewardKind ParseRewardKind(std::string_view name) {
  if (name == "budget") return RewardKind::kBudget;
  if (name == "paper") return RewardKind::kPaper;
  throw ParseError(fmt::format("unknown reward {}; expected budget or paper", Quoted(name)));
}

StartKind ParseStartKind(std::string_view name) {
  if (name == "random") return StartKind::kRandom;
  if (name == "best-proxy") return StartKind::kBestProxy;
  if (name == "top-k") return StartKind::kTopK;
  if (name == "prior-quantile") return StartKind::kPriorQuantile;
  throw ParseError(
      fmt::format("unknown start {}; expected random, best-proxy, top-k or prior-quantile", Quoted(name)));
}

nlohmann::json EnvConfigToJson(const EnvConfig& c) {
  return {{"reward", std::string(RewardKindName(c.reward))},
          {"probes", c.probes},
          {"horizon", c.horizon},
          {"history", c.history},
          {"start", std::string(StartKindName(c.start))},
          {"top_k", c.top_k},
          {"start_quantile", c.start_quantile},
          {"budget_lo", c.budget_lo},
          {"budget_hi", c.budget_hi},
          {"infeasible_score", c.infeasible_score},
          {"rank_score", c.rank_score},
          {"ridge", c.ridge},
          {"synthetic", c.synthetic.ToString()}};
}

EnvConfig EnvConfigFromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw DataError("controller env config: expected a JSON object");
  EnvConfig c;
  auto get = [&](const char* key, auto& out) {
    if (!j.contains(key)) throw DataError(fmt::format("controller env config: missing key '{}'", key));
    try {
      j.at(key).get_to(out);
    } catch (const nlohmann::json::exception&) {
      throw DataError(fmt::format("controller env config: key '{}' has the wrong type", key));
    }
  };
  std::string reward, start, synthetic;
  get("reward", reward);
  get("probes", c.probes);
  get("horizon", c.horizon);
  get("history", c.history);
  get("start", start);
  get("top_k", c.top_k);
  get("start_quantile", c.start_quantile);
  get("budget_lo", c.budget_lo);
  get("budget_hi", c.budget_hi);
  get("infeasible_score", c.infeasible_score);
  get("rank_score", c.rank_score);
  get("ridge", c.ridge);
  get("synthetic", synthetic);
  try {
    c.reward = ParseRewardKind(reward);
    c.start = ParseStartKind(start);
    c.synthetic = SyntheticOptions::Parse(synthetic);
  } catch (const ParseError& e) {
    throw DataError(fmt::format("controller env config: {}", e.what()));
  }
  if (!(c.ridge > 0) || !(c.start_quantile > 0 && c.start_quantile <= 1) || c.probes < 0 || c.horizon < 1 || c.history < 0 || c.history > 50 || c.top_k < 1 ||
      !(c.budget_lo >= 0 && c.budget_lo <= c.budget_hi && c.budget_hi <= 100)) {
    throw DataError("controller env config: a value is out of range (ridge > 0, probes >= 0, horizon >= 1, 0 <= history <= 50, "
                    "top_k >= 1, 0 <= budget_lo <= budget_hi <= 100)");
  }
  return c;
}

int ObservationSize(const EnvConfig& config, int num_actions) {
  return kGlobalFeatures + num_actions + num_actions * kActionFeatures + config.history * HistoryFeatures(num_actions);
}

}  // namespace simnas
