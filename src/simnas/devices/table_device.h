// `table:NAME` / `table:PATH`: replays a latency table of a search space (one of the space's
// device tables, a HELP .pt file, or a CSV `simnas measure-all` wrote). A table holds the
// space's numbered architectures only: any other architecture, and one a partial table did not
// measure, is refused with a DeviceError saying so; a search on a replayed device searches
// within the architectures its table holds.
#pragma once

#include <memory>
#include <string>

#include "simnas/data/latency_table.h"
#include "simnas/devices/device.h"
#include "simnas/space/candidates.h"

namespace simnas {

class TableDevice : public Device {
 public:
  // `table` (value i = architecture i of `numbering`) and `numbering` must outlive the device.
  // Throws DataError when their sizes differ.
  TableDevice(std::string spec, const LatencyTable& table, const CandidateSet& numbering);
  // The same, owning its table (a table file).
  TableDevice(std::string spec, std::unique_ptr<LatencyTable> owned, const CandidateSet& numbering);

  std::string Spec() const override { return spec_; }
  // "<space>|<spec>".
  std::string Fingerprint() const override;
  bool IsLive() const override { return false; }
  // Exactly the table's value; DeviceError for an architecture the table does not hold.
  Measurement Measure(const Arch& arch) override;
  const LatencyTable* FullTable() const override { return table_->Complete() ? table_ : nullptr; }
  const LatencyTable* ReplayedTable() const override { return table_; }
  const LatencyTable& table() const { return *table_; }
  // The numbering the table is aligned with.
  const CandidateSet& numbering() const { return *numbering_; }

 private:
  std::string spec_;
  std::unique_ptr<LatencyTable> owned_;
  const LatencyTable* table_;
  const CandidateSet* numbering_;
};

}  // namespace simnas
