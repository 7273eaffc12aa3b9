#include "simnas/devices/synthetic_device.h"

#include <fmt/format.h>

namespace simnas {

std::string SyntheticDevice::Spec() const { return fmt::format("synthetic:{}", seed_); }

std::string SyntheticDevice::Fingerprint() const {
  return fmt::format("synthetic:{}:fixed={:.6g},ops={:.6g}/{:.6g}/{:.6g}/{:.6g}", seed_, model_.fixed_ms,
                     model_.op_ms[1], model_.op_ms[2], model_.op_ms[3], model_.op_ms[4]);
}

}  // namespace simnas
