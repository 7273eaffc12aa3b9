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
                      {"oracle_accuracy", r.oracle_accuracy},
                      {"oracle_index", r.oracle_index},
                      {"proxy_oracle_accuracy", r.proxy_oracle_accuracy},
                      {"proxy_oracle_index", r.proxy_oracle_index},
                      {"ground_truth_complete", r.ground_truth_complete},
                      {"found", r.found()},
                      {"feasible", r.feasible},
                      {"true_feasible", r.true_feasible}};
  if (r.config_digest) j["config_digest"] = *r.config_digest;
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
    j["accuracy"] = a->accuracy;
    j["proxy"] = a->proxy;
    j["latency_percentile"] = a->latency_percentile;
    j["regret"] = a->regret;
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
  r.oracle_accuracy = Number(row, "oracle_accuracy");
  r.oracle_index = Integer(row, "oracle_index");
  r.proxy_oracle_accuracy = Number(row, "proxy_oracle_accuracy");
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
      if (!i.is_number_integer()) throw DataError("field \"trajectory\" holds something that is not a cell index");
      r.trajectory.push_back(i.get<int>());
    }
  }
  if (Bool(row, "found")) {
    RunAnswer a;
    a.index = Integer(row, "index");
    a.arch = String(row, "arch");
    a.latency_ms = Number(row, "latency_ms");
    a.true_latency_ms = Number(row, "true_latency_ms");
    a.accuracy = Number(row, "accuracy");
    a.proxy = Number(row, "proxy");
    a.latency_percentile = Number(row, "latency_percentile");
    a.regret = Number(row, "regret");
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
