// The Once-for-All MobileNet-V3 space's data files (data README, help-ofa/ and ofa-mbv3/):
// HELP's 5,000 architectures (ofa_archs.pt) with their latencies on four GPUs at batch 1, 32
// and 64 (<device>_<batch>.pt, 12 tables), Once-for-All's accuracy predictor
// (acc_predictor.pth, ofa_accuracy_predictor.h) and a Samsung Note10 per-operator latency
// lookup table (note10-lut/<r>_lookup_table.yaml, ofa_note10_lut.h).
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/data_dir.h"
#include "simnas/data/fetch.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

namespace simnas {

inline constexpr int kOfaTableSize = 5000;

// The 12 HELP device tables, <gpu>_<batch>, in file-name order.
const std::vector<std::string>& OfaDeviceNames();
// The fixed split (data README): the test devices are HELP's meta-test GPU at every batch size
// and the Note10 lookup table; the other nine tables are the train devices.
inline constexpr std::string_view kOfaNote10Device = "note10";
inline constexpr std::array<std::string_view, 4> kOfaTestDevices = {"titan_rtx_1", "titan_rtx_32", "titan_rtx_64",
                                                                     kOfaNote10Device};

// Every file of help-ofa/ and ofa-mbv3/ with its published SHA-256, its upstream URL (HELP
// at commit 45f70eb, data/ofa/; Once-for-All at commit 698a5c1, tutorial/checkpoints/) and its
// content check (each file loaded as the space reads it).
std::vector<DataFileSpec> OfaDataFiles();

std::filesystem::path OfaArchFile(const DataDir& dir);         // help-ofa/ofa_archs.pt
std::filesystem::path OfaLatencyFile(const DataDir& dir, std::string_view device);
std::filesystem::path OfaPredictorFile(const DataDir& dir);    // ofa-mbv3/acc_predictor.pth
std::filesystem::path OfaNote10Dir(const DataDir& dir);        // ofa-mbv3/note10-lut/

// ofa_archs.pt: a dict {dataset, num_classes, arch: [5,000 dicts {ks, e, d, r}]}. Throws
// DataError naming the file and the first architecture that is malformed or repeated.
std::vector<OfaArch> LoadOfaArchs(const std::filesystem::path& path);

// <device>_<batch>.pt: 5,000 finite positive latencies (ms) in ofa_archs.pt order, named after
// the file's stem. Throws DataError naming the file and the first bad entry.
LatencyTable LoadOfaLatencyTable(const std::filesystem::path& path);

}  // namespace simnas
