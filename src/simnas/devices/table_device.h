// `table:NAME` / `table:PATH`: replays a latency table (HELP .pt or simnas CSV).
#pragma once

#include <memory>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/search_space/search_space.h"

namespace simnas {

class TableDevice : public Device {
 public:
  // `table` must outlive the device when `owned` is null.
  TableDevice(std::string spec, const LatencyTable& table, const SearchSpace& space)
      : spec_(std::move(spec)), table_(&table), space_(&space) {}
  TableDevice(std::string spec, std::unique_ptr<LatencyTable> owned, const SearchSpace& space)
      : spec_(std::move(spec)), owned_(std::move(owned)), table_(owned_.get()), space_(&space) {}

  std::string Spec() const override { return spec_; }
  std::string Fingerprint() const override { return spec_; }
  bool IsLive() const override { return false; }
  // Exactly the table's value; DeviceError for a cell a partial table does not hold.
  Measurement Measure(const Arch& arch) override;
  const LatencyTable* FullTable() const override { return table_->Complete() ? table_ : nullptr; }
  const LatencyTable& table() const { return *table_; }

 private:
  std::string spec_;
  std::unique_ptr<LatencyTable> owned_;
  const LatencyTable* table_;
  const SearchSpace* space_;
};

}  // namespace simnas
