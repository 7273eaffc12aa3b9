#include "simnas/devices/table_device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

TableDevice::TableDevice(std::string spec, const LatencyTable& table, const CandidateSet& numbering)
    : spec_(std::move(spec)), table_(&table), numbering_(&numbering) {
  if (static_cast<int>(table.values().size()) != numbering.size()) {
    throw DataError(fmt::format("device {}: the table holds {} latencies for {} {}s", spec_, table.values().size(),
                                numbering.size(), numbering.space().arch_noun()));
  }
}

TableDevice::TableDevice(std::string spec, std::unique_ptr<LatencyTable> owned, const CandidateSet& numbering)
    : TableDevice(std::move(spec), *owned, numbering) {
  owned_ = std::move(owned);
}

std::string TableDevice::Fingerprint() const { return fmt::format("{}|{}", numbering_->space().name(), spec_); }

Measurement TableDevice::Measure(const Arch& arch) {
  const std::string_view noun = numbering_->space().arch_noun();
  const int index = numbering_->IndexOf(arch);
  if (index < 0) {
    throw DeviceError(fmt::format("device {} has only its {} {}s ({}), not {}", spec_, numbering_->size(), noun,
                                  numbering_->source(), arch.ToString()));
  }
  if (!table_->Has(index)) {
    throw DeviceError(fmt::format("device {}: the table holds {} of the {} {}s and not {} {} ({})", spec_,
                                  table_->CountKnown(), numbering_->size(), noun, noun, index, arch.ToString()));
  }
  return Measurement{table_->At(index), 0.0, 1};
}

}  // namespace simnas
