#include "simnas/bench/run_record.h"

#include <fstream>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

const nlohmann::json& Field(const nlohmann::json& row, const char* name) {
  const auto it = row.find(name);
  if (it == row.end()) throw DataError(fmt::format("field \"{}\" is missing", name));
  return *it;
}

std::string String(const nlohmann::json& row, const char* name) {
  const nlohmann::json& v = Field(row, name);
  if (!v.is_string()) throw DataError(fmt::format("field \"{}\" is not a string", name));
  return v.get<std::string>();
}

double Number(const nlohmann::json& row, const char* name) {
  const nlohmann::json& v = Field(row, name);
  if (!v.is_number()) throw DataError(fmt::format("field \"{}\" is not a number", name));
  return v.get<double>();
}

int Integer(const nlohmann::json& row, const char* name) {
  const nlohmann::json& v = Field(row, name);
  if (!v.is_number_integer()) throw DataError(fmt::format("field \"{}\" is not an integer", name));
  return v.get<int>();
}

bool Bool(const nlohmann::json& row, const char* name) {
  const nlohmann::json& v = Field(row, name);
  if (!v.is_boolean()) throw DataError(fmt::format("field \"{}\" is not true or false", name));
  return v.get<bool>();
}

// A number, or none for null.
std::optional<double> NumberOrNull(const nlohmann::json& row, const char* name) {
  if (Field(row, name).is_null()) return std::nullopt;
  return Number(row, name);
}

nlohmann::json Optional(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

nlohmann::json ScoreToJson(const RunScore& f) {
  return {{"objective", f.objective},
          {"proxy_device", f.proxy_device},
          {"candidates", f.candidates},
          {"feasible_candidates", f.feasible_candidates},
          {"best_objective", f.best_objective},
          {"best_index", f.best_index},
          {"answer_objective", Optional(f.answer_objective)},
          {"regret", Optional(f.regret)},
          {"rank_share", Optional(f.rank_share)}};
}

RunScore ScoreFromJson(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object()) throw DataError(fmt::format("field \"{}\" is not an object", field));
  RunScore f;
  f.objective = String(j, "objective");
  f.proxy_device = String(j, "proxy_device");
  f.candidates = Integer(j, "candidates");
  f.feasible_candidates = Integer(j, "feasible_candidates");
  f.best_objective = Number(j, "best_objective");
  f.best_index = Integer(j, "best_index");
  if (!Field(j, "answer_objective").is_null()) f.answer_objective = Number(j, "answer_objective");
  if (!Field(j, "regret").is_null()) f.regret = Number(j, "regret");
  if (!Field(j, "rank_share").is_null()) f.rank_share = Number(j, "rank_share");
  return f;
}

}  // namespace

nlohmann::json RunRecordToJson(const RunRecord& r) {
  // nlohmann::json objects keep their keys sorted, so the order of these lines does not matter.
  nlohmann::json j = {{"key", r.key},
                      {"group", r.group},
                      {"kind", r.kind},
                      {"device", r.device},
                      {"dataset", r.dataset},
                      {"budget_label", r.budget_label},
                      {"budget_ms", r.budget_ms ? nlohmann::json(*r.budget_ms) : nlohmann::json()},
                      {"strategy", r.strategy},
                      {"probes", r.probes},
                      {"seed", r.seed},
                      {"oracle_accuracy", Optional(r.oracle_accuracy)},
                      {"oracle_index", r.oracle_index},
                      {"proxy_oracle_accuracy", Optional(r.proxy_oracle_accuracy)},
                      {"proxy_oracle_index", r.proxy_oracle_index},
                      {"ground_truth_complete", r.ground_truth_complete},
                      {"found", r.found()},
                      {"feasible", r.feasible},
                      {"true_feasible", r.true_feasible}};
  if (r.config_digest) j["config_digest"] = *r.config_digest;
  if (r.score) j["score"] = ScoreToJson(*r.score);
  if (r.error) {
    j["error"] = *r.error;
  } else {
    j["probes_used"] = r.probes_used;
    j["wall_s"] = r.wall_s;
    j["trajectory"] = r.trajectory;
  }
  if (const RunAnswer* a = r.answer ? &*r.answer : nullptr) {
    j["index"] = a->index;
    j["arch"] = a->arch;
    j["latency_ms"] = a->latency_ms;
    j["true_latency_ms"] = a->true_latency_ms;
    j["accuracy"] = Optional(a->accuracy);
    j["proxy"] = a->proxy;
    j["latency_percentile"] = a->latency_percentile;
    j["regret"] = Optional(a->regret);
    if (a->reward) j["reward"] = *a->reward;
  }
  return j;
}

RunRecord RunRecordFromJson(const nlohmann::json& row) {
  if (!row.is_object()) throw DataError("a run record must be a JSON object");
  RunRecord r;
  r.key = String(row, "key");
  r.group = String(row, "group");
  r.kind = String(row, "kind");
  r.device = String(row, "device");
  r.dataset = String(row, "dataset");
  r.budget_label = String(row, "budget_label");
  if (!Field(row, "budget_ms").is_null()) r.budget_ms = Number(row, "budget_ms");
  r.strategy = String(row, "strategy");
  r.probes = Integer(row, "probes");
  r.seed = Integer(row, "seed");
  if (row.contains("score")) {
    r.score = ScoreFromJson(row["score"], "score");
  } else if (const std::size_t dash = r.kind.find('-'); dash != std::string::npos) {
    // An earlier row of a "<space>-<kind>" group: its score block under the space's name.
    const std::string field = r.kind.substr(0, dash);
    if (row.contains(field)) r.score = ScoreFromJson(row[field], field);
  }
  r.oracle_accuracy = NumberOrNull(row, "oracle_accuracy");
  r.oracle_index = Integer(row, "oracle_index");
  r.proxy_oracle_accuracy = NumberOrNull(row, "proxy_oracle_accuracy");
  r.proxy_oracle_index = Integer(row, "proxy_oracle_index");
  r.ground_truth_complete = Bool(row, "ground_truth_complete");
  if (row.contains("config_digest")) r.config_digest = String(row, "config_digest");
  r.feasible = Bool(row, "feasible");
  r.true_feasible = Bool(row, "true_feasible");
  if (row.contains("error")) {
    r.error = String(row, "error");
  } else {
    r.probes_used = Integer(row, "probes_used");
    r.wall_s = Number(row, "wall_s");
    const nlohmann::json& t = Field(row, "trajectory");
    if (!t.is_array()) throw DataError("field \"trajectory\" is not a list");
    for (const nlohmann::json& i : t) {
      if (!i.is_number_integer()) throw DataError("field \"trajectory\" holds something that is not a candidate index");
      r.trajectory.push_back(i.get<int>());
    }
  }
  if (Bool(row, "found")) {
    RunAnswer a;
    a.index = Integer(row, "index");
    a.arch = String(row, "arch");
    a.latency_ms = Number(row, "latency_ms");
    a.true_latency_ms = Number(row, "true_latency_ms");
    a.accuracy = NumberOrNull(row, "accuracy");
    a.proxy = Number(row, "proxy");
    a.latency_percentile = Number(row, "latency_percentile");
    a.regret = NumberOrNull(row, "regret");
    if (row.contains("reward")) a.reward = Number(row, "reward");
    r.answer = a;
  }
  return r;
}

std::vector<RunRecord> ReadRunRecords(const std::filesystem::path& path) {
  std::vector<RunRecord> rows;
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;  // a torn write from a kill
    try {
      rows.push_back(RunRecordFromJson(j));
    } catch (const DataError& e) {
      throw DataError(fmt::format("{}:{}: not a benchmark run: {}", path.string(), number, e.what()));
    }
  }
  return rows;
}

}  // namespace simnas
