// HELP's FBNet files (data README, help-fbnet/): the 5,000 sampled FBNet architectures
// (arch.pt) and one latency table per device (<device>.pt, 5,000 latencies in arch.pt order).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/data/fetch.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

inline constexpr int kFbnetTableSize = 5000;

// The 23 FBNet device tables shipped in help-fbnet/.
const std::vector<std::string>& FbnetDeviceNames();

// Every file of help-fbnet/ with its published SHA-256, upstream address and content check: what
// `simnas data fetch` fills (fbnet_data_files.cpp).
std::vector<DataFileSpec> FbnetDataFiles();

std::filesystem::path FbnetArchFile(const DataDir& dir);
std::filesystem::path FbnetLatencyFile(const DataDir& dir, std::string_view device);

// arch.pt: 5,000 architectures. Throws DataError naming the file and the first bad row.
std::vector<FbnetArch> LoadFbnetArchs(const std::filesystem::path& path);

// <device>.pt: 5,000 finite positive latencies (ms; phones' whole ms stored as ints), position i
// = architecture i of arch.pt. The table is named after the file's stem. Throws DataError
// naming the file and the first bad entry.
LatencyTable LoadFbnetLatencyTable(const std::filesystem::path& path);

}  // namespace simnas
