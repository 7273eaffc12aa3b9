#include "simnas/devices/fbnet_table_device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

FbnetTableDevice::FbnetTableDevice(std::string spec, const LatencyTable& table, const FbnetNumbering& networks)
    : spec_(std::move(spec)), table_(&table), networks_(&networks) {
  if (static_cast<int>(table.values().size()) != networks.size()) {
    throw DataError(fmt::format("device {}: the table holds {} latencies for {} networks", spec_,
                                table.values().size(), networks.size()));
  }
}

FbnetTableDevice::FbnetTableDevice(std::string spec, std::unique_ptr<LatencyTable> owned,
                                   const FbnetNumbering& networks)
    : FbnetTableDevice(std::move(spec), *owned, networks) {
  owned_ = std::move(owned);
}

Measurement FbnetTableDevice::Measure(const Arch& arch) {
  const int index = arch.is_fbnet() ? networks_->IndexOf(arch) : -1;
  if (index < 0) {
    throw DeviceError(fmt::format("device {} has only its {} FBNet networks (HELP's sampled ones), not {}", spec_,
                                  networks_->size(), arch.ToString()));
  }
  if (!table_->Has(index)) {
    throw DeviceError(fmt::format("device {} holds {} of the {} FBNet networks and not network {} ({})", spec_,
                                  table_->CountKnown(), networks_->size(), index, arch.ToString()));
  }
  return Measurement{table_->At(index), 0.0, 1};
}

}  // namespace simnas
