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
// The train devices among `all_devices` (order kept).
std::vector<std::string> TrainDevicesAmong(const std::vector<std::string>& all_devices);

}  // namespace simnas
