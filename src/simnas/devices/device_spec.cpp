#include "simnas/devices/device_spec.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/devices/local_device.h"
#include "simnas/space/space_data.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

DeviceSpec DeviceSpec::Parse(std::string_view text) {
  if (Trim(text).empty()) throw ParseError("empty device spec; expected table:NAME, synthetic:SEED, local or cmd:...");
  DeviceSpec s;
  s.text_ = std::string(text);
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view arg = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  s.argument_ = std::string(arg);
  // An option parser's message, prefixed with the spec it came from.
  const auto in_spec = [&](const ParseError& e) {
    return ParseError(fmt::format("device spec {}: {}", Quoted(text), e.what()));
  };
  if (kind == "table") {
    s.kind_ = Kind::kTable;
    if (arg.empty()) {
      throw ParseError(fmt::format("device spec {} needs a device name or a table file path", Quoted(text)));
    }
  } else if (kind == "synthetic") {
    s.kind_ = Kind::kSynthetic;
    const auto comma = arg.find(',');
    const auto seed = ParseInt(arg.substr(0, comma));
    if (!seed || *seed < 0) {
      throw ParseError(fmt::format("device spec {} needs a non-negative integer seed, e.g. synthetic:7", Quoted(text)));
    }
    s.seed_ = static_cast<std::uint64_t>(*seed);
    s.has_options_ = comma != std::string_view::npos;
    if (s.has_options_) {
      s.options_ = std::string(arg.substr(comma + 1));
      try {
        SyntheticOptions::Parse(s.options_);
      } catch (const ParseError& e) {
        throw in_spec(e);
      }
    }
  } else if (kind == "local" || kind == "opencv") {
    s.kind_ = kind == "local" ? Kind::kLocal : Kind::kOpenCv;
    s.options_ = s.argument_;
    s.has_options_ = !Trim(arg).empty();
    try {
      ParseLocalOptions(s.options_, kind);
    } catch (const ParseError& e) {
      throw in_spec(e);
    }
  } else if (kind == "cmd") {
    s.kind_ = Kind::kCommand;
    if (Trim(arg).empty()) {
      throw ParseError(fmt::format("device spec {} needs a program to run, e.g. cmd:'./time.sh {{arch}}'", Quoted(text)));
    }
  } else {
    s.kind_ = Kind::kName;
    s.argument_ = s.text_;
  }
  return s;
}

DeviceSpec DeviceSpec::Table(std::string_view name_or_path) { return Parse("table:" + std::string(name_or_path)); }

DeviceSpec DeviceSpec::TableOrSpec(std::string_view text) {
  if (text.find(':') == std::string_view::npos && text != "local" && text != "opencv") return Table(text);
  return Parse(text);
}

const std::string& DeviceSpec::table_name() const {
  static const std::string kNone;
  return kind_ == Kind::kTable ? argument_ : kNone;
}

bool DeviceSpec::is_table_file() const {
  return kind_ == Kind::kTable &&
         (argument_.find('/') != std::string::npos || argument_.ends_with(".pt") || argument_.ends_with(".csv"));
}

const std::string& DeviceSpec::command() const {
  static const std::string kNone;
  return kind_ == Kind::kCommand ? argument_ : kNone;
}

const std::string& DeviceSpec::name() const {
  static const std::string kNone;
  return kind_ == Kind::kName ? argument_ : kNone;
}

std::string_view KindName(DeviceSpec::Kind kind) {
  switch (kind) {
    case DeviceSpec::Kind::kTable: return "table";
    case DeviceSpec::Kind::kSynthetic: return "synthetic";
    case DeviceSpec::Kind::kLocal: return "local";
    case DeviceSpec::Kind::kOpenCv: return "opencv";
    case DeviceSpec::Kind::kCommand: return "cmd";
    case DeviceSpec::Kind::kName: return "name";
  }
  return "name";
}

bool IsDeviceGroup(std::string_view text) { return text == "train" || text == "test"; }

std::string ReservedDeviceName(std::string_view name) {
  if (Trim(name).empty()) return "an empty name";
  if (name.find(':') != std::string_view::npos) return "':' separates a device kind from its options";
  for (const DeviceSpec::Kind kind : {DeviceSpec::Kind::kTable, DeviceSpec::Kind::kSynthetic, DeviceSpec::Kind::kLocal,
                                      DeviceSpec::Kind::kOpenCv, DeviceSpec::Kind::kCommand}) {
    if (name == KindName(kind)) return fmt::format("the name of the built-in device kind {}", name);
  }
  if (IsDeviceGroup(name)) return fmt::format("the name of the device group {}", name);
  return "";
}

std::vector<DeviceSpec> ExpandDeviceGroup(std::string_view text, const SpaceData& data) {
  if (!IsDeviceGroup(text)) return {DeviceSpec::Parse(text)};
  std::vector<DeviceSpec> specs;
  for (const std::string& name : text == "train" ? data.TrainDevices() : data.AllTestDevices()) {
    specs.push_back(DeviceSpec::Table(name));
  }
  return specs;
}

}  // namespace simnas
