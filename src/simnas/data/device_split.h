// The fixed train/test split of the benchmark's device tables (data README). Test devices
// (HELP's meta-test devices) are used only to evaluate: nothing may be fitted, tuned or
// selected on them. Every other table is a train device.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

inline constexpr std::array<std::string_view, 6> kTestDevices = {"titan_rtx_256", "gold_6226", "fpga",
                                                                  "pixel2",        "raspi4",    "eyeriss"};

bool IsTestDevice(std::string_view device);

// The same for HELP's FBNet tables (data README, help-fbnet/): test devices are evaluation only.
inline constexpr std::array<std::string_view, 6> kFbnetTestDevices = {"titan_rtx_64", "gold_6226", "fpga",
                                                                       "pixel2",       "raspi4",    "eyeriss"};
bool IsFbnetTestDevice(std::string_view device);
std::vector<std::string> FbnetTrainDevicesAmong(const std::vector<std::string>& all_devices);
// The train devices among `all_devices` (order kept).
std::vector<std::string> TrainDevicesAmong(const std::vector<std::string>& all_devices);

}  // namespace simnas
