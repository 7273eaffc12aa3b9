#include "simnas/devices/device_factory.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"
#include "simnas/data/dataset.h"
#include "simnas/devices/command_device.h"
#include "simnas/devices/local_device.h"
#include "simnas/devices/opencv_device.h"
#include "simnas/devices/table_device.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "simnas/space/table_file.h"

namespace simnas {
namespace fs = std::filesystem;

std::vector<RegistryEntry> LoadDeviceRegistry(const fs::path& path) {
  const std::string text = ReadFile(path);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw DataError(fmt::format("{}: not valid JSON", path.string()));
  if (!j.is_object() || !j.contains("devices") || !j["devices"].is_object()) {
    throw DataError(fmt::format("{}: expected {{\"devices\": {{NAME: {{\"spec\": ...}}}}}}", path.string()));
  }
  std::vector<RegistryEntry> entries;
  for (const auto& [name, value] : j["devices"].items()) {
    if (!value.is_object() || !value.contains("spec") || !value["spec"].is_string()) {
      throw DataError(fmt::format("{}: device '{}' needs a string \"spec\"", path.string(), name));
    }
    // A name DeviceSpec::Parse reads as a built-in device or a group would never reach this
    // entry: the built-in device would run instead, silently.
    if (const std::string reserved = ReservedDeviceName(name); !reserved.empty()) {
      throw DataError(fmt::format("{}: device {}: {}; give the entry another name", path.string(), Quoted(name),
                                  reserved));
    }
    RegistryEntry e;
    e.name = name;
    e.spec = value["spec"].get<std::string>();
    if (e.spec.rfind(name, 0) == 0 && e.spec.size() == name.size()) {
      throw DataError(fmt::format("{}: device '{}' refers to itself", path.string(), name));
    }
    if (value.contains("description") && value["description"].is_string()) e.description = value["description"];
    if (value.contains("timeout_s")) {
      if (!value["timeout_s"].is_number() || value["timeout_s"].get<double>() <= 0) {
        throw DataError(fmt::format("{}: device '{}': timeout_s must be a positive number", path.string(), name));
      }
      e.command.timeout_seconds = value["timeout_s"].get<double>();
    }
    if (value.contains("retries")) {
      if (!value["retries"].is_number_integer() || value["retries"].get<int>() < 0) {
        throw DataError(fmt::format("{}: device '{}': retries must be an integer >= 0", path.string(), name));
      }
      e.command.retries = value["retries"].get<int>();
    }
    if (value.contains("format")) {
      try {
        if (!value["format"].is_string()) throw ParseError("format must be a string");
        e.command.format = ParseOutputFormat(value["format"].get<std::string>());
      } catch (const ParseError& error) {
        throw DataError(fmt::format("{}: device '{}': {}", path.string(), name, error.what()));
      }
    }
    if (value.contains("export")) {
      // The model behind {onnx}: {"dataset": "cifar10", "batch": 1, "input_size": 32, "seed": 0}.
      const nlohmann::json& x = value["export"];
      const auto bad = [&](const std::string& what) {
        return DataError(fmt::format("{}: device '{}': export {}", path.string(), name, what));
      };
      if (!x.is_object()) throw bad("must be an object such as {\"dataset\": \"cifar10\", \"batch\": 1}");
      ExportOptions& o = e.command.export_options;
      for (const auto& [key, v] : x.items()) {
        if (key == "dataset") {
          if (!v.is_string()) throw bad("dataset must be a string");
          try {
            const Dataset d = ParseDataset(v.get<std::string>());
            o.num_classes = NumClasses(d);
            if (!x.contains("input_size")) o.input_size = InputSize(d);
          } catch (const ParseError& error) {
            throw bad(error.what());
          }
        } else if (key == "batch" || key == "input_size" || key == "seed") {
          if (!v.is_number_integer() || v.get<long long>() < (key == "seed" ? 0 : 1)) {
            throw bad(key + " must be a positive integer");
          }
          if (key == "batch") o.batch = v.get<int>();
          if (key == "input_size") o.input_size = v.get<int>();
          if (key == "seed") o.seed = v.get<std::uint64_t>();
        } else {
          throw bad(fmt::format("has unknown key {}; expected dataset, batch, input_size or seed", Quoted(key)));
        }
      }
      // The space is known when the device is opened (OpenDevice checks again): here, options
      // that no space's networks take.
      std::string first_problem;
      bool some_space_takes_them = false;
      for (const Space* space : Spaces()) {
        try {
          ValidateExportOptions(*space, o);
          some_space_takes_them = true;
        } catch (const ParseError& error) {
          if (first_problem.empty()) first_problem = error.what();
        }
      }
      if (!some_space_takes_them) throw bad(first_problem);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

namespace {

// A device the space offers of its own (Space::OpenOwnDevice), opened as `table:NAME`: it answers
// from the space's files like a table, but for any architecture it covers. The numbered
// architectures it covers are what a search on it chooses among (ReplayedTable).
class OwnDevice final : public Device {
 public:
  OwnDevice(std::string spec, const std::string& name, const CandidateSet& numbering,
            std::unique_ptr<SpaceDevice> device)
      : spec_(std::move(spec)), space_(&numbering.space()), device_(std::move(device)) {
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(numbering.size()));
    for (const Arch& a : numbering.archs()) {
      try {
        ms.push_back(device_->LatencyMs(a));
      } catch (const DeviceError&) {
        ms.push_back(std::numeric_limits<double>::quiet_NaN());  // not covered
      }
    }
    covered_ = LatencyTable(name, std::move(ms));
  }
  std::string Spec() const override { return spec_; }
  std::string Fingerprint() const override { return fmt::format("{}|{}", space_->name(), spec_); }
  bool IsLive() const override { return false; }
  Measurement Measure(const Arch& arch) override {
    if (arch.empty() || &arch.space() != space_) {
      throw DeviceError(fmt::format("device {} answers {} {}s only, not {}", spec_, space_->name(), space_->arch_noun(),
                                    arch.empty() ? "an empty architecture" : arch.ToString()));
    }
    try {
      return Measurement{device_->LatencyMs(arch), 0.0, 1};
    } catch (const DeviceError& e) {
      throw DeviceError(fmt::format("device {}: {}", spec_, e.what()));
    }
  }
  const LatencyTable* FullTable() const override { return covered_.Complete() ? &covered_ : nullptr; }
  const LatencyTable* ReplayedTable() const override { return &covered_; }

 private:
  std::string spec_;
  const Space* space_;
  std::unique_ptr<SpaceDevice> device_;
  LatencyTable covered_;  // its latency of each numbered architecture, NaN where it has none
};

bool IsOwnDeviceName(const Space& space, const std::string& name) {
  const std::vector<std::string> own = space.OwnDeviceNames();
  return std::find(own.begin(), own.end(), name) != own.end();
}

const SpaceData& NeedData(const DeviceEnvironment& env, const DeviceSpec& spec) {
  if (env.data == nullptr) throw Error(fmt::format("device {} needs the search space's data", spec.ToString()));
  return *env.data;
}

// Opens a spec of a kind other than a name.
std::unique_ptr<Device> OpenKind(const DeviceSpec& spec, const DeviceEnvironment& env,
                                 const CommandOptions& command_options, const std::string& name) {
  switch (spec.kind()) {
    case DeviceSpec::Kind::kTable: {
      const SpaceData& data = NeedData(env, spec);
      if (spec.is_table_file()) {
        return std::make_unique<TableDevice>(
            spec.ToString(), std::make_unique<LatencyTable>(LoadTableFile(spec.table_name(), data.Numbering())),
            data.Numbering());
      }
      // A name that is not one of the space's tables may be one of its own devices.
      if (!data.HasDeviceTable(spec.table_name())) {
        if (std::unique_ptr<SpaceDevice> own = data.space().OpenOwnDevice(spec.table_name(), data)) {
          return std::make_unique<OwnDevice>(spec.ToString(), spec.table_name(), data.Numbering(), std::move(own));
        }
      }
      return std::make_unique<TableDevice>(spec.ToString(), data.DeviceTable(spec.table_name()), data.Numbering());
    }
    case DeviceSpec::Kind::kSynthetic: {
      if (!env.open_synthetic) {
        throw ParseError(fmt::format("device {}: synthetic devices are not available here", Quoted(spec.ToString())));
      }
      return env.open_synthetic(spec);
    }
    case DeviceSpec::Kind::kLocal:
    case DeviceSpec::Kind::kOpenCv: {
      const bool opencv = spec.kind() == DeviceSpec::Kind::kOpenCv;
      // A space whose architectures carry their resolution is timed at it, for its own dataset's classes.
      LocalOptions defaults;
      if (env.data != nullptr && env.data->space().ArchitecturesCarryInputSize()) {
        defaults.input_size = 0;
        defaults.num_classes = NumClasses(env.data->space().Datasets().front());
      }
      LocalOptions options = ParseLocalOptions(spec.options(), opencv ? "opencv" : "local", defaults);
      options.cache_dir = env.cache_dir;
      if (env.data != nullptr && options.input_size > 0) {
        const Space& space = env.data->space();
        if (const std::string problem = space.InputSizeProblem(options.input_size); !problem.empty()) {
          throw ParseError(fmt::format("{} device option input={}: {}", opencv ? "opencv" : "local", options.input_size,
                                       problem));
        }
      }
      if (opencv) return std::make_unique<OpenCvDevice>(std::move(options));
      return std::make_unique<LocalDevice>(std::move(options));
    }
    case DeviceSpec::Kind::kCommand: {
      CommandOptions options = command_options;
      options.cache_dir = env.cache_dir;
      return std::make_unique<CommandDevice>(spec.command(), NeedData(env, spec).Numbering(), std::move(options), name);
    }
    case DeviceSpec::Kind::kName:
      break;
  }
  throw ParseError(fmt::format("device spec {} names no device kind", Quoted(spec.ToString())));
}

}  // namespace

std::unique_ptr<Device> OpenDevice(const std::string& spec, const DeviceEnvironment& env) {
  return OpenDevice(DeviceSpec::Parse(spec), env);
}

std::unique_ptr<Device> OpenDevice(const DeviceSpec& spec, const DeviceEnvironment& env) {
  // The registry is read (and so checked) whatever the spec: an entry a built-in device would
  // shadow is refused, not passed over.
  std::vector<RegistryEntry> registry;
  if (env.registry && fs::exists(*env.registry)) registry = LoadDeviceRegistry(*env.registry);
  if (spec.kind() != DeviceSpec::Kind::kName) return OpenKind(spec, env, CommandOptions{}, "");
  // A bare name: the registry first, then a benchmark table.
  for (const RegistryEntry& e : registry) {
    if (e.name != spec.name()) continue;
    try {
      const DeviceSpec target = DeviceSpec::Parse(e.spec);
      if (target.kind() != DeviceSpec::Kind::kName) return OpenKind(target, env, e.command, e.name);
    } catch (const ParseError& error) {
      throw ParseError(fmt::format("{}: device '{}': {}", env.registry->string(), e.name, error.what()));
    }
    throw ParseError(fmt::format("{}: device '{}' has spec {}, which is not table:, synthetic:, local, opencv or cmd:",
                                 env.registry->string(), e.name, Quoted(e.spec)));
  }
  if (spec.name().find(':') == std::string::npos && env.data != nullptr &&
      (env.data->HasDeviceTable(spec.name()) || IsOwnDeviceName(env.data->space(), spec.name()))) {
    return OpenKind(DeviceSpec::Table(spec.name()), env, CommandOptions{}, "");
  }
  throw ParseError(fmt::format("unknown device {}; expected table:NAME|PATH, synthetic:SEED, local[:opts], opencv[:opts], "
                               "cmd:COMMAND, or a name from the device registry{}",
                               Quoted(spec.ToString()),
                               env.registry ? " (" + env.registry->string() + ")" : " (no registry file found)"));
}

}  // namespace simnas
