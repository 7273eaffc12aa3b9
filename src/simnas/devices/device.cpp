#include "simnas/devices/device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

const Cell& CellFor(const Device& device, const Arch& arch) {
  if (!arch.is_cell()) {
    throw DeviceError(fmt::format("device {} measures NAS-Bench-201 cells only, not the {} network {}", device.Spec(),
                                  SpaceKindName(arch.space()), arch.ToString()));
  }
  return arch.cell();
}

}  // namespace simnas
