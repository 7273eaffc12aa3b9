#include "simnas/spaces/fbnet/fbnet_data.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/pickle.h"

namespace simnas {
namespace fs = std::filesystem;

const std::vector<std::string>& FbnetDeviceNames() {
  static const std::vector<std::string> names = {
      "1080ti_1",    "1080ti_32",   "1080ti_64",   "2080ti_1",     "2080ti_32",   "2080ti_64",
      "eyeriss",     "fpga",        "gold_6226",   "gold_6240",    "pixel2",      "pixel3",
      "raspi4",      "samsung_a50", "silver_4210r", "titan_rtx_1", "titan_rtx_32", "titan_rtx_64",
      "titanx_1",    "titanx_32",   "titanx_64",   "titanxp_1",    "titanxp_32"};
  return names;
}

fs::path FbnetArchFile(const DataDir& dir) { return dir.root() / "help-fbnet" / "arch.pt"; }
fs::path FbnetLatencyFile(const DataDir& dir, std::string_view device) {
  return dir.root() / "help-fbnet" / (std::string(device) + ".pt");
}

std::vector<FbnetArch> LoadFbnetArchs(const fs::path& path) {
  if (!fs::exists(path)) throw DataError(fmt::format("{}: no such FBNet architecture file", path.string()));
  const std::vector<std::vector<long long>> rows = LoadPickledIntLists(path);
  if (rows.size() != static_cast<std::size_t>(kFbnetTableSize)) {
    throw DataError(
        fmt::format("{}: expected {} FBNet architectures, found {}", path.string(), kFbnetTableSize, rows.size()));
  }
  std::vector<FbnetArch> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    try {
      out.push_back(FbnetArch::FromIndices(rows[i]));
    } catch (const ParseError& e) {
      throw DataError(fmt::format("{}: architecture {}: {}", path.string(), i, e.what()));
    }
  }
  return out;
}

LatencyTable LoadFbnetLatencyTable(const fs::path& path) { return LoadPickledLatencyTable(path, kFbnetTableSize); }

}  // namespace simnas
