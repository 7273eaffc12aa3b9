// The fixed train/test split of the benchmark's device tables (data README). Test devices
// (HELP's meta-test devices) are used only to evaluate: nothing may be fitted, tuned or
// selected on them. Every other table is a train device.
//
// One split per search space, each a list of test device names; the lookups and filters below
// serve every list (`IsListedTestDevice`, `SplitAmong`), the named ones are shorthands.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

// NAS-Bench-201 (help-nasbench201/).
inline constexpr std::array<std::string_view, 6> kTestDevices = {"titan_rtx_256", "gold_6226", "fpga",
                                                                  "pixel2",        "raspi4",    "eyeriss"};
// HELP's FBNet tables (help-fbnet/).
inline constexpr std::array<std::string_view, 6> kFbnetTestDevices = {"titan_rtx_64", "gold_6226", "fpga",
                                                                       "pixel2",       "raspi4",    "eyeriss"};

// Whether `device` is one of `test_devices`.
bool IsListedTestDevice(std::span<const std::string_view> test_devices, std::string_view device);
// The devices among `all_devices` (order kept) that are test devices (`test` = true) or train
// devices (`test` = false) of the split `test_devices`.
std::vector<std::string> SplitAmong(std::span<const std::string_view> test_devices,
                                    const std::vector<std::string>& all_devices, bool test);

bool IsTestDevice(std::string_view device);       // NAS-Bench-201
bool IsFbnetTestDevice(std::string_view device);  // FBNet
// The train devices among `all_devices` (order kept).
std::vector<std::string> FbnetTrainDevicesAmong(const std::vector<std::string>& all_devices);  // FBNet

}  // namespace simnas
