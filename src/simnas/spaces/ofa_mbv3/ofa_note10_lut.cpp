#include "simnas/spaces/ofa_mbv3/ofa_note10_lut.h"

#include <cmath>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/spaces/ofa_mbv3/ofa_network.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

std::string Shape(int h, int w, int c) { return fmt::format("{}x{}x{}", h, w, c); }

std::string Plain(const char* kind, const std::string& in, const std::string& out) {
  return fmt::format("{}-input:{}-output:{}", kind, in, out);
}

std::string MbConv(int size, int in, int out_size, int out, int mid, int kernel, int stride, bool residual, bool se,
                   bool hard_swish) {
  return fmt::format("expanded_conv-input:{}-output:{}-expand:{}-kernel:{}-stride:{}-idskip:{}-se:{}-hs:{}",
                     Shape(size, size, in), Shape(out_size, out_size, out), mid, kernel, stride, residual ? 1 : 0,
                     se ? 1 : 0, hard_swish ? 1 : 0);
}

// "160 164 ... 224" for more than three evenly spaced resolutions, else all of them.
std::string ResolutionsText(const std::vector<int>& r) {
  bool even = r.size() > 3;
  for (std::size_t i = 2; even && i < r.size(); ++i) even = r[i] - r[i - 1] == r[1] - r[0];
  return even ? fmt::format("{} {} ... {}", r[0], r[1], r.back()) : fmt::format("{}", fmt::join(r, " "));
}

}  // namespace

std::vector<std::string> OfaNote10OperatorKeys(const OfaArch& arch) {
  std::vector<std::string> keys;
  const int r = arch.resolution();
  int size = (r + 1) / 2;
  keys.push_back(Plain("Conv", Shape(r, r, 3), Shape(size, size, kOfaStemChannels)));
  // The first block: depthwise 3x3 and projection, no expansion (expand = its input width).
  keys.push_back(MbConv(size, kOfaStemChannels, size, kOfaStemChannels, kOfaStemChannels, 3, 1, true, false, false));
  int in = kOfaStemChannels;
  for (int s = 0; s < kOfaNumStages; ++s) {
    const OfaStage& stage = kOfaStages[static_cast<std::size_t>(s)];
    for (int j = 0; j < arch.depth(s); ++j) {
      const int slot = s * kOfaMaxDepth + j;
      const int stride = j == 0 ? stage.stride : 1;
      const int out_size = (size - 1) / stride + 1;
      // Upstream keys the expanded width as round(in * e), without channel rounding (every
      // width of this space is a multiple of 8 already).
      keys.push_back(MbConv(size, in, out_size, stage.width, in * arch.expansion(slot), arch.kernel(slot), stride,
                            j != 0, stage.squeeze_excite, stage.hard_swish));
      size = out_size;
      in = stage.width;
    }
  }
  keys.push_back(Plain("Conv_1", Shape(size, size, in), Shape(size, size, kOfaFinalExpandChannels)));
  keys.push_back(Plain("AvgPool2D", Shape(size, size, kOfaFinalExpandChannels), Shape(1, 1, kOfaFinalExpandChannels)));
  keys.push_back(Plain("Conv_2", Shape(1, 1, kOfaFinalExpandChannels), Shape(1, 1, kOfaFeatureMixChannels)));
  keys.push_back(Plain("Logits", Shape(1, 1, kOfaFeatureMixChannels), "1000"));
  return keys;
}

void OfaNote10LookupTable::AddResolution(int resolution, const std::string& yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw DataError(fmt::format("{}: not readable YAML ({})", source, e.what()));
  }
  if (!root.IsMap() || root.size() == 0) throw DataError(fmt::format("{}: expected a map of operators", source));
  std::map<std::string, OfaLutEntry> table;
  for (const auto& item : root) {
    const std::string key = item.first.as<std::string>("");
    const YAML::Node& v = item.second;
    const auto bad = [&](const std::string& why) {
      return DataError(fmt::format("{}: operator '{}': {}", source, key, why));
    };
    if (!v.IsMap() || !v["mean"] || !v["count"]) throw bad("expected count, mean and std");
    OfaLutEntry e;
    try {
      e.count = v["count"].as<int>();
      e.mean_ms = v["mean"].as<double>();
      e.std_ms = v["std"] ? v["std"].as<double>() : 0.0;
    } catch (const YAML::Exception&) {
      throw bad("count, mean or std is not a number");
    }
    if (!std::isfinite(e.mean_ms) || e.mean_ms < 0 || e.count < 1) {
      throw bad(fmt::format("mean {} ms over {} measurement(s)", e.mean_ms, e.count));
    }
    table.emplace(key, e);
  }
  tables_[resolution] = std::move(table);
}

OfaNote10LookupTable OfaNote10LookupTable::Load(const fs::path& folder) {
  OfaNote10LookupTable lut;
  if (!fs::is_directory(folder)) throw DataError(fmt::format("{}: no such lookup table folder", folder.string()));
  static const std::regex name(R"(([0-9]{2,4})_lookup_table\.yaml)");
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (!std::regex_match(file, m, name)) continue;
    lut.AddResolution(std::stoi(m[1].str()), ReadFile(entry.path()), entry.path().string());
  }
  if (lut.tables_.empty()) throw DataError(fmt::format("{}: no <r>_lookup_table.yaml file", folder.string()));
  return lut;
}

std::vector<int> OfaNote10LookupTable::Resolutions() const {
  std::vector<int> out;
  for (const auto& [r, table] : tables_) out.push_back(r);
  return out;
}

double OfaNote10LookupTable::LatencyMs(const OfaArch& arch) const {
  const auto table = tables_.find(arch.resolution());
  if (table == tables_.end()) {
    throw DataError(fmt::format("the Note10 lookup table has no resolution {} (it has {}): {}", arch.resolution(),
                                ResolutionsText(Resolutions()), arch.ToString()));
  }
  double ms = 0.0;
  for (const std::string& key : OfaNote10OperatorKeys(arch)) {
    const auto it = table->second.find(key);
    if (it == table->second.end()) {
      throw DataError(fmt::format("the Note10 lookup table at resolution {} has no operator {}", arch.resolution(), key));
    }
    ms += it->second.mean_ms;
  }
  return ms;
}

}  // namespace simnas
