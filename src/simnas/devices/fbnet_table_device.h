// `table:NAME` under `--space fbnet`: replays one of HELP's FBNet latency tables
// (data/fbnet_data.h); `table:PATH.csv`: a table `simnas --space fbnet measure-all` wrote
// (LoadLatencyCsv, possibly a sample of the 5,000). A table holds HELP's sampled networks only:
// any other FBNet network, a network a partial table did not measure (and any NAS-Bench-201
// cell) is refused with a DeviceError saying so, so a search on a replayed FBNet device searches
// within those 5,000.
#pragma once

#include <memory>
#include <string>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/search_space/fbnet/fbnet_numbering.h"

namespace simnas {

class FbnetTableDevice : public Device {
 public:
  // `table` (position i = network i of `networks`) and `networks` must outlive the device.
  FbnetTableDevice(std::string spec, const LatencyTable& table, const FbnetNumbering& networks);
  // The same, owning its table (a table file).
  FbnetTableDevice(std::string spec, std::unique_ptr<LatencyTable> owned, const FbnetNumbering& networks);

  std::string Spec() const override { return spec_; }
  std::string Fingerprint() const override { return "fbnet|" + spec_; }
  bool IsLive() const override { return false; }
  // Exactly the table's value for one of its networks; DeviceError for any other.
  Measurement Measure(const Arch& arch) override;
  const LatencyTable* FullTable() const override { return table_->Complete() ? table_ : nullptr; }
  const LatencyTable& table() const { return *table_; }
  // The networks the table holds (its candidate set).
  const FbnetNumbering& networks() const { return *networks_; }

 private:
  std::string spec_;
  std::unique_ptr<LatencyTable> owned_;
  const LatencyTable* table_;
  const FbnetNumbering* networks_;
};

}  // namespace simnas
