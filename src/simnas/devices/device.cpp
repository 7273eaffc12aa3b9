#include "simnas/devices/device.h"

#include <algorithm>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

double Measurement::RelativeHalfWidth() const {
  if (!has_interval() || latency_ms <= 0) return 0;
  return std::max(latency_ms - ci_low_ms, ci_high_ms - latency_ms) / latency_ms;
}
}  // namespace simnas
