#include "simnas/devices/table_device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

Measurement TableDevice::Measure(const Arch& arch) {
  const Cell& cell = CellFor(*this, arch);
  const int index = space_->IndexOf(cell);
  if (!table_->Has(index)) {
    throw DeviceError(fmt::format("device {}: the table holds no latency for {} (index {})", spec_, cell.ToString(),
                                  index));
  }
  return Measurement{table_->At(index), 0.0, 1};
}

}  // namespace simnas
