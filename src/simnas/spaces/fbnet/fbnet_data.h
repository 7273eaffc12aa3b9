// HELP's FBNet files (data README, help-fbnet/): the 5,000 sampled FBNet architectures
// (arch.pt) and one latency table per device (<device>.pt, 5,000 latencies in arch.pt order).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/space/space_data.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"
#include "simnas/spaces/fbnet/fbnet_numbering.h"

namespace simnas {

inline constexpr int kFbnetTableSize = 5000;

// The 23 FBNet device tables shipped in help-fbnet/.
const std::vector<std::string>& FbnetDeviceNames();

std::filesystem::path FbnetDir(const DataDir& dir);
std::filesystem::path FbnetArchFile(const DataDir& dir);
std::filesystem::path FbnetMetaInfoFile(const DataDir& dir);
std::filesystem::path FbnetLatencyFile(const DataDir& dir, std::string_view device);

// arch.pt: 5,000 architectures. Throws DataError naming the file and the first bad row.
std::vector<FbnetArch> LoadFbnetArchs(const std::filesystem::path& path);

// <device>.pt: 5,000 finite positive latencies (ms; phones' whole ms stored as ints), position i
// = architecture i of arch.pt. The table is named after the file's stem. Throws DataError
// naming the file and the first bad entry.
LatencyTable LoadFbnetLatencyTable(const std::filesystem::path& path);

// HELP's FBNet data seen as FBNet architectures, over the space's generic data
// (space/space_data.h), which it owns or views: the 5,000 architectures and the 23 device
// tables (position i of every table = architecture i), with the FBNet train/test split.
class FbnetTables {
 public:
  explicit FbnetTables(DataDir dir);
  // A view of `data` (the fbnet space's; Error otherwise), which must outlive this object.
  explicit FbnetTables(const SpaceData& data);

  const SpaceData& space_data() const { return *data_; }
  const std::vector<FbnetArch>& Archs();
  // The 5,000 as the space's numbering (row = index), built on first use.
  const FbnetNumbering& Numbering();
  // Throws DataError for a device without an FBNet table (naming the known ones).
  const LatencyTable& Table(const std::string& device) { return data_->DeviceTable(device); }
  static std::vector<std::string> TrainDevices();  // the 17 train devices, in FbnetDeviceNames order
  static std::vector<std::string> TestDevices();   // the 6 test devices

 private:
  std::shared_ptr<const SpaceData> owned_;
  const SpaceData* data_;
  std::vector<FbnetArch> archs_;
  std::unique_ptr<FbnetNumbering> numbering_;
};

}  // namespace simnas
