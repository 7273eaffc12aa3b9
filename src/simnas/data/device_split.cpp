#include "simnas/data/device_split.h"

#include <algorithm>

namespace simnas {

bool IsTestDevice(std::string_view device) {
  return std::find(kTestDevices.begin(), kTestDevices.end(), device) != kTestDevices.end();
}

std::vector<std::string> TrainDevicesAmong(const std::vector<std::string>& all_devices) {
  std::vector<std::string> train;
  for (const std::string& d : all_devices) {
    if (!IsTestDevice(d)) train.push_back(d);
  }
  return train;
}

bool IsFbnetTestDevice(std::string_view device) {
  return std::find(kFbnetTestDevices.begin(), kFbnetTestDevices.end(), device) != kFbnetTestDevices.end();
}

std::vector<std::string> FbnetTrainDevicesAmong(const std::vector<std::string>& all_devices) {
  std::vector<std::string> train;
  for (const std::string& d : all_devices) {
    if (!IsFbnetTestDevice(d)) train.push_back(d);
  }
  return train;
}

}  // namespace simnas
