#include "simnas/bench/bench_config.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "simnas/core/error.h"
#include "simnas/space/registry.h"
#include "simnas/strategies/registry.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"
#include "simnas/devices/device_spec.h"

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

// A config or group name heads report sections, starts CSV rows and run keys: letters, digits
// and - _ . + only (a quote, comma, '|' or newline would break them).
void CheckName(const std::string& name, const std::string& where) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '+';
  });
  if (!plain) {
    throw DataError(fmt::format("{}: name {} may hold letters, digits and - _ . + only (it heads the report's "
                                "sections, summary.csv rows and run keys)",
                                where, Quoted(name)));
  }
}

bool IsKind(const std::string& kind) {
  return kind == "help" || kind == "percentile" || kind == "budgets" || kind == "unconstrained";
}

}  // namespace

std::vector<Dataset> DefaultBenchDatasets(const Space& space) {
  const std::vector<Dataset> own = space.Datasets();
  if (own.empty() || std::find(own.begin(), own.end(), Dataset::kCifar100) != own.end()) return {Dataset::kCifar100};
  return {own.front()};
}

std::string QualifiedKind(const BenchGroup& group) {
  if (group.space == nullptr || group.space->name() == kDefaultSpaceName) return group.kind;
  return fmt::format("{}-{}", group.space->name(), group.kind);
}

bool ReferencePerBudget(const BenchGroup& group) {
  if (group.reference.per_budget) return *group.reference.per_budget;
  return group.space != nullptr && group.space->name() != kDefaultSpaceName;
}

BenchConfig ParseBenchConfig(const std::string& json_text, const std::string& origin, const Space* space) {
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw DataError(fmt::format("{}: not a JSON object", origin));
  BenchConfig config;
  config.name = Get<std::string>(j, "name", origin, config.name);
  CheckName(config.name, origin);
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
    CheckName(group.name, where);
    group.space = space != nullptr ? space : &DefaultSpace();
    const std::size_t dash = group.kind.find('-');
    if (!IsKind(group.kind) && dash != std::string::npos) {
      // "<space>-<kind>": the space and the kind in one field.
      const std::string prefix = group.kind.substr(0, dash);
      const auto spaces = Spaces();
      const auto it = std::find_if(spaces.begin(), spaces.end(), [&](const Space* s) { return s->name() == prefix; });
      if (it != spaces.end()) {
        if (g.contains("space") && Get<std::string>(g, "space", where, "") != prefix) {
          throw DataError(fmt::format("{}: kind '{}' is of space {}, not of \"space\" {}", where, group.kind, prefix,
                                      Get<std::string>(g, "space", where, "")));
        }
        group.space = *it;
        group.kind = group.kind.substr(dash + 1);
      }
    }
    if (g.contains("space")) {
      try {
        group.space = &FindSpace(Get<std::string>(g, "space", where, ""));
      } catch (const ParseError& e) {
        throw DataError(fmt::format("{}: {}", where, e.what()));
      }
    }
    if (!IsKind(group.kind)) {
      throw DataError(fmt::format("{}: kind '{}' is not help, percentile, budgets or unconstrained (optionally "
                                  "written <space>-<kind>)",
                                  where, group.kind));
    }
    group.devices = Get<std::vector<std::string>>(g, "devices", where, {});
    for (const std::string& device : group.devices) {
      const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
      if (std::any_of(device.begin(), device.end(), control)) {
        throw DataError(fmt::format("{}: device {} holds a control character", where, Quoted(device)));
      }
    }
    if (group.kind != "help" && group.devices.empty()) throw DataError(where + ": needs \"devices\"");
    group.datasets = DefaultBenchDatasets(*group.space);
    if (g.contains("datasets")) {
      if (group.kind == "help") throw DataError(where + ": the help tasks are CIFAR-100 only; drop \"datasets\"");
      group.datasets.clear();
      for (const std::string& d : Get<std::vector<std::string>>(g, "datasets", where, {})) {
        group.datasets.push_back(ParseDataset(d));
      }
    }
    const std::vector<Dataset> space_datasets = group.space->Datasets();
    for (Dataset d : group.datasets) {
      if (std::find(space_datasets.begin(), space_datasets.end(), d) == space_datasets.end()) {
        std::string known;
        for (Dataset k : space_datasets) known += (known.empty() ? "" : ", ") + std::string(DatasetName(k));
        throw DataError(fmt::format("{}: space {} has no dataset {} (its datasets: {})", where, group.space->name(),
                                    DatasetName(d), known));
      }
    }
    group.objective = Get<std::string>(g, "objective", where, group.objective);
    group.percentiles = Get<std::vector<double>>(g, "percentiles", where, group.percentiles);
    group.budgets_ms = Get<std::vector<double>>(g, "budgets_ms", where, {});
    if (group.kind == "budgets" && group.budgets_ms.empty()) throw DataError(where + ": needs \"budgets_ms\"");
    group.probes = Get<std::vector<int>>(g, "probes", where, group.probes);
    for (int p : group.probes) {
      if (p < 1) throw DataError(fmt::format("{}: probe budget {} must be >= 1", where, p));
    }
    group.strategies = Get<std::vector<std::string>>(g, "strategies", where, {});
    for (const std::string& name : group.strategies.empty() ? config.strategies : group.strategies) {
      try {
        (void)MakeStrategy(name, StrategyResources{}, *group.space);
      } catch (const ParseError& e) {
        throw DataError(fmt::format("{}: {}", where, e.what()));
      }
    }
    group.seeds = Get<int>(g, "seeds", where, 0);
    group.controller_loo_steps = Get<std::int64_t>(g, "controller_loo_steps", where, 0);
    if (group.controller_loo_steps < 0) throw DataError(where + ": \"controller_loo_steps\" must be >= 0");
    if (g.contains("reference")) {
      const nlohmann::json& r = g["reference"];
      group.reference.top = Get<int>(r, "top", where + ".reference", group.reference.top);
      group.reference.random = Get<int>(r, "random", where + ".reference", group.reference.random);
      group.reference.seed = Get<std::uint64_t>(r, "seed", where + ".reference", group.reference.seed);
      if (r.contains("per_budget")) group.reference.per_budget = Get<bool>(r, "per_budget", where + ".reference", false);
    }
    for (const BenchGroup& other : config.groups) {
      if (other.name == group.name) throw DataError(fmt::format("{}: group name '{}' is used twice", where, group.name));
    }
    config.groups.push_back(std::move(group));
  }
  return config;
}

BenchConfig LoadBenchConfig(const std::filesystem::path& path, const Space* space) {
  return ParseBenchConfig(ReadFile(path), path.string(), space);
}

std::vector<std::string> ExpandDevices(const BenchGroup& group, const SpaceData& data) {
  if (group.kind == "help") {
    std::vector<std::string> devices;
    for (const HelpTask& t : HelpTable4()) {
      const std::string spec = DeviceSpec::Table(t.device).ToString();
      if (devices.empty() || devices.back() != spec) devices.push_back(spec);
    }
    return devices;
  }
  std::vector<std::string> out;
  for (const std::string& d : group.devices) {
    if (IsDeviceGroup(d)) {
      for (const DeviceSpec& spec : ExpandDeviceGroup(d, data)) out.push_back(spec.ToString());
    } else {
      out.push_back(d);
    }
  }
  return out;
}

std::string RunKey(const std::string& group, const std::string& device, Dataset dataset,
                   const std::string& budget_label, const std::string& strategy, int probes, int seed) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}", group, device, DatasetName(dataset), budget_label, strategy, probes, seed);
}

std::string BudgetLabel(double ms) { return fmt::format("{:g}ms", ms); }
std::string PercentileLabel(double percentile) { return fmt::format("p{:g}", percentile); }

std::string GroupDigest(const BenchConfig& config, const BenchGroup& group) {
  nlohmann::json datasets = nlohmann::json::array();
  for (Dataset d : group.datasets) datasets.push_back(std::string(DatasetName(d)));
  // nlohmann::json objects keep their keys sorted: the dump is canonical.
  nlohmann::json j = {
      {"name", group.name},
      {"kind", QualifiedKind(group)},
      {"devices", group.devices},
      {"datasets", datasets},
      {"percentiles", group.percentiles},
      {"budgets_ms", group.budgets_ms},
      {"probes", group.probes},
      {"strategies", group.strategies.empty() ? config.strategies : group.strategies},
      {"seeds", group.seeds > 0 ? group.seeds : config.seeds},
      {"reference", {{"top", group.reference.top}, {"random", group.reference.random}, {"seed", group.reference.seed}}},
      {"controller_loo_steps", group.controller_loo_steps}};
  // Groups of the default space digest the fields above only (their digests stay those of the
  // committed runs); another space's group also its objective and its default strategy.
  if (group.space != nullptr && group.space->name() != kDefaultSpaceName) {
    j["objective"] = group.objective;
    j[fmt::format("{}_default_strategy", group.space->name())] = std::string(group.space->DefaultStrategy());
  } else if (!group.objective.empty()) {
    j["objective"] = group.objective;
  }
  if (group.reference.per_budget) j["reference"]["per_budget"] = *group.reference.per_budget;
  const std::string text = j.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw Error("bench: SHA-256 of a group's config failed (OpenSSL)");
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::vector<std::pair<Dataset, std::string>> TaskLabels(const BenchGroup& group, const std::string& spec) {
  std::vector<std::pair<Dataset, std::string>> tasks;
  if (group.kind == "help") {
    for (const HelpTask& t : HelpTable4()) {
      if (DeviceSpec::Table(t.device).ToString() == spec) tasks.emplace_back(Dataset::kCifar100, BudgetLabel(t.budget_ms));
    }
    return tasks;
  }
  for (Dataset dataset : group.datasets) {
    if (group.kind == "percentile") {
      for (double p : group.percentiles) tasks.emplace_back(dataset, PercentileLabel(p));
    } else if (group.kind == "budgets") {
      for (double b : group.budgets_ms) tasks.emplace_back(dataset, BudgetLabel(b));
    } else {
      tasks.emplace_back(dataset, "none");
    }
  }
  return tasks;
}

std::map<std::string, std::string> PlanRuns(const BenchConfig& config, const SpaceDataOf& data_of) {
  std::map<std::string, std::string> plan;
  for (const BenchGroup& group : config.groups) {
    const std::string digest = GroupDigest(config, group);
    const std::vector<std::string>& names = group.strategies.empty() ? config.strategies : group.strategies;
    const int seeds = group.seeds > 0 ? group.seeds : config.seeds;
    for (const std::string& spec : ExpandDevices(group, data_of(*group.space))) {
      for (const auto& [dataset, label] : TaskLabels(group, spec)) {
        for (const std::string& name : names) {
          for (int probes : group.probes) {
            for (int seed = 0; seed < seeds; ++seed) {
              plan[RunKey(group.name, spec, dataset, label, name, probes, seed)] = digest;
            }
          }
        }
      }
    }
  }
  return plan;
}

std::vector<RunRecord> RowsOfPlan(const std::vector<RunRecord>& rows, const std::map<std::string, std::string>& plan,
                                  int* stale) {
  // The last current row of each key, in the order the keys first appear.
  std::map<std::string, std::size_t> last;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RunRecord& row = rows[i];
    const auto planned = plan.find(row.key);
    if (planned == plan.end()) continue;
    // A row without a digest predates digests: it counts when its key is planned.
    if (row.config_digest && *row.config_digest != planned->second) continue;
    if (last.emplace(row.key, i).second) {
      order.push_back(row.key);
    } else {
      last[row.key] = i;
    }
  }
  std::vector<RunRecord> out;
  out.reserve(order.size());
  for (const std::string& key : order) out.push_back(rows[last[key]]);
  if (stale != nullptr) *stale = static_cast<int>(rows.size() - out.size());
  return out;
}

}  // namespace simnas
