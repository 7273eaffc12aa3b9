#include "simnas/data/device_split.h"

#include <algorithm>

namespace simnas {

bool IsListedTestDevice(std::span<const std::string_view> test_devices, std::string_view device) {
  return std::find(test_devices.begin(), test_devices.end(), device) != test_devices.end();
}

std::vector<std::string> SplitAmong(std::span<const std::string_view> test_devices,
                                    const std::vector<std::string>& all_devices, bool test) {
  std::vector<std::string> out;
  for (const std::string& d : all_devices) {
    if (IsListedTestDevice(test_devices, d) == test) out.push_back(d);
  }
  return out;
}

bool IsTestDevice(std::string_view device) { return IsListedTestDevice(kTestDevices, device); }

bool IsFbnetTestDevice(std::string_view device) { return IsListedTestDevice(kFbnetTestDevices, device); }

std::vector<std::string> FbnetTrainDevicesAmong(const std::vector<std::string>& all_devices) {
  return SplitAmong(kFbnetTestDevices, all_devices, /*test=*/false);
}

}  // namespace simnas
