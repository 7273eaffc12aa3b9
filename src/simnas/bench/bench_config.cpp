#include "simnas/bench/bench_config.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"

namespace simnas {

const std::vector<HelpTask>& HelpTable4() {
  static const std::vector<HelpTask> tasks = {
      {"titan_rtx_256", 18}, {"titan_rtx_256", 21}, {"titan_rtx_256", 25}, {"gold_6226", 8}, {"gold_6226", 11},
      {"gold_6226", 14},     {"pixel2", 14},        {"pixel2", 18},        {"pixel2", 22},   {"eyeriss", 5},
      {"eyeriss", 7},        {"eyeriss", 9},        {"fpga", 4},           {"fpga", 5},      {"fpga", 6},
  };
  return tasks;
}

namespace {

template <typename T>
T Get(const nlohmann::json& j, const char* key, const std::string& where, T fallback) {
  if (!j.contains(key)) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw DataError(fmt::format("{}: field \"{}\" has the wrong type", where, key));
  }
}

}  // namespace

BenchConfig ParseBenchConfig(const std::string& json_text, const std::string& origin) {
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw DataError(fmt::format("{}: not a JSON object", origin));
  BenchConfig config;
  config.name = Get<std::string>(j, "name", origin, config.name);
  config.strategies = Get<std::vector<std::string>>(j, "strategies", origin, config.strategies);
  config.seeds = Get<int>(j, "seeds", origin, config.seeds);
  if (config.seeds < 1) throw DataError(fmt::format("{}: \"seeds\" must be >= 1", origin));
  if (!j.contains("groups") || !j["groups"].is_array() || j["groups"].empty()) {
    throw DataError(fmt::format("{}: needs a non-empty \"groups\" array", origin));
  }
  for (std::size_t i = 0; i < j["groups"].size(); ++i) {
    const nlohmann::json& g = j["groups"][i];
    const std::string where = fmt::format("{}: groups[{}]", origin, i);
    if (!g.is_object()) throw DataError(where + ": not an object");
    BenchGroup group;
    group.kind = Get<std::string>(g, "kind", where, "");
    group.name = Get<std::string>(g, "name", where, group.kind);
    if (group.kind != "help" && group.kind != "percentile" && group.kind != "budgets" && group.kind != "unconstrained") {
      throw DataError(fmt::format("{}: kind '{}' is not help, percentile, budgets or unconstrained", where, group.kind));
    }
    group.devices = Get<std::vector<std::string>>(g, "devices", where, {});
    if (group.kind != "help" && group.devices.empty()) throw DataError(where + ": needs \"devices\"");
    if (g.contains("datasets")) {
      if (group.kind == "help") throw DataError(where + ": the help tasks are CIFAR-100 only; drop \"datasets\"");
      group.datasets.clear();
      for (const std::string& d : Get<std::vector<std::string>>(g, "datasets", where, {})) {
        group.datasets.push_back(ParseDataset(d));
      }
    }
    group.percentiles = Get<std::vector<double>>(g, "percentiles", where, group.percentiles);
    group.budgets_ms = Get<std::vector<double>>(g, "budgets_ms", where, {});
    if (group.kind == "budgets" && group.budgets_ms.empty()) throw DataError(where + ": needs \"budgets_ms\"");
    group.probes = Get<std::vector<int>>(g, "probes", where, group.probes);
    for (int p : group.probes) {
      if (p < 1) throw DataError(fmt::format("{}: probe budget {} must be >= 1", where, p));
    }
    group.strategies = Get<std::vector<std::string>>(g, "strategies", where, {});
    group.seeds = Get<int>(g, "seeds", where, 0);
    group.controller_loo_steps = Get<std::int64_t>(g, "controller_loo_steps", where, 0);
    if (group.controller_loo_steps < 0) throw DataError(where + ": \"controller_loo_steps\" must be >= 0");
    if (g.contains("reference")) {
      const nlohmann::json& r = g["reference"];
      group.reference.top = Get<int>(r, "top", where + ".reference", group.reference.top);
      group.reference.random = Get<int>(r, "random", where + ".reference", group.reference.random);
      group.reference.seed = Get<std::uint64_t>(r, "seed", where + ".reference", group.reference.seed);
    }
    for (const BenchGroup& other : config.groups) {
      if (other.name == group.name) throw DataError(fmt::format("{}: group name '{}' is used twice", where, group.name));
    }
    config.groups.push_back(std::move(group));
  }
  return config;
}

BenchConfig LoadBenchConfig(const std::filesystem::path& path) {
  return ParseBenchConfig(ReadFile(path), path.string());
}

std::vector<std::string> ExpandDevices(const BenchGroup& group, const BenchmarkData& data) {
  if (group.kind == "help") {
    std::vector<std::string> devices;
    for (const HelpTask& t : HelpTable4()) {
      const std::string spec = "table:" + t.device;
      if (devices.empty() || devices.back() != spec) devices.push_back(spec);
    }
    return devices;
  }
  std::vector<std::string> out;
  for (const std::string& d : group.devices) {
    if (d == "test" || d == "train") {
      for (const std::string& name : d == "test" ? data.TestDevices() : data.TrainDevices()) out.push_back("table:" + name);
    } else {
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace simnas
