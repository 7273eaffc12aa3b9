// A device spec, parsed once: what `--device`, a benchmark config's "devices" and a registry
// entry's "spec" name (device_factory.h opens it). The forms:
//   table:NAME             a benchmark table by device name (e.g. table:pixel3)
//   table:PATH             a table file (a '/' in it, or .pt / .csv)
//   synthetic:SEED[,OPTS]  a synthetic device (OPTS: SyntheticOptions, e.g. paper or op_noise=0.1)
//   local[:OPTS]           this machine's CPU (OPTS: LocalOptions, e.g. threads=1,batch=1)
//   opencv[:OPTS]          the same through OpenCV DNN (same OPTS)
//   cmd:COMMAND            an external program printing a latency
//   NAME                   anything else: a registry name, else a benchmark table NAME (on opening)
// and the group aliases `train` and `test` (ExpandDeviceGroup): the table: specs of the
// space's train or test devices (Space::TestDevices).
//
// Parse checks the form, the seed and the options, and throws ParseError in one line naming
// the spec; whether a table, a file or a registry name exists is checked when it is opened.
// The text is kept as given: Parse(text).ToString() == text (benchmark rows and probe-store
// runs key devices by it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

class SpaceData;

class DeviceSpec {
 public:
  enum class Kind { kTable, kSynthetic, kLocal, kOpenCv, kCommand, kName };

  static DeviceSpec Parse(std::string_view text);
  // table:NAME for a benchmark table name, or table:PATH for a table file.
  static DeviceSpec Table(std::string_view name_or_path);
  // A bare word as a table name (table:NAME, no registry lookup); `local`, `opencv` and
  // anything with a ':' parsed as a spec. For lists of devices that are mostly tables.
  static DeviceSpec TableOrSpec(std::string_view text);

  Kind kind() const { return kind_; }
  // The table's NAME or PATH (table: specs only; empty otherwise).
  const std::string& table_name() const;
  // A table: spec naming a file rather than a benchmark table.
  bool is_table_file() const;
  // synthetic: the seed.
  std::uint64_t seed() const { return seed_; }
  // The OPTS text: synthetic's after the comma, local's and opencv's after the colon; empty
  // when none was given.
  const std::string& options() const { return options_; }
  // synthetic: whether OPTS were given (else the default options apply).
  bool has_options() const { return has_options_; }
  // cmd: the command template.
  const std::string& command() const;
  // A registry name or a bare table name (kName only).
  const std::string& name() const;

  // The spec as given.
  const std::string& ToString() const { return text_; }
  // For tables and labels: a table's NAME or PATH, any other spec whole.
  const std::string& ShortName() const { return kind_ == Kind::kTable ? argument_ : text_; }

  friend bool operator==(const DeviceSpec& a, const DeviceSpec& b) { return a.text_ == b.text_; }

 private:
  DeviceSpec() = default;
  std::string text_;
  Kind kind_ = Kind::kName;
  std::string argument_;  // after "kind:" (the whole text for kName)
  std::string options_;
  bool has_options_ = false;
  std::uint64_t seed_ = 0;
};

// "table", "synthetic", "local", "opencv", "cmd" or "name".
std::string_view KindName(DeviceSpec::Kind kind);

// Whether `text` is one of the group aliases `train` and `test`.
bool IsDeviceGroup(std::string_view text);

// Why `name` cannot name a registry device ("the name of the built-in device kind local"), or an
// empty string when it can: a name must not be empty, hold a ':' (which separates a kind from its
// options), be a device kind (table, synthetic, local, opencv, cmd) or a device group (train,
// test), since DeviceSpec::Parse reads those before any registry is looked at.
std::string ReservedDeviceName(std::string_view name);
// `train` / `test`: the table: specs of the space's train devices (its device tables) / test
// devices (its tables' and its own, SpaceData::AllTestDevices), in the data's order; anything
// else: the one spec it parses to.
std::vector<DeviceSpec> ExpandDeviceGroup(std::string_view text, const SpaceData& data);

}  // namespace simnas
