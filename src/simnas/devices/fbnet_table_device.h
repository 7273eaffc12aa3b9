// `table:NAME` under `--space fbnet`: replays one of HELP's FBNet latency tables
// (data/fbnet_data.h). A table holds HELP's 5,000 sampled networks only: any other FBNet
// network (and any NAS-Bench-201 cell) is refused with a DeviceError saying so, so a search on a
// replayed FBNet device searches within those 5,000.
#pragma once

#include <string>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/search_space/fbnet/fbnet_numbering.h"

namespace simnas {

class FbnetTableDevice : public Device {
 public:
  // `table` (position i = network i of `networks`) and `networks` must outlive the device.
  FbnetTableDevice(std::string spec, const LatencyTable& table, const FbnetNumbering& networks);

  std::string Spec() const override { return spec_; }
  std::string Fingerprint() const override { return "fbnet|" + spec_; }
  bool IsLive() const override { return false; }
  // Exactly the table's value for one of its networks; DeviceError for any other.
  Measurement Measure(const Arch& arch) override;
  const LatencyTable* FullTable() const override { return table_; }
  // The networks the table holds (its candidate set).
  const FbnetNumbering& networks() const { return *networks_; }

 private:
  std::string spec_;
  const LatencyTable* table_;
  const FbnetNumbering* networks_;
};

}  // namespace simnas
