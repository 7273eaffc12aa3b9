// The one place every latency a search sees comes from. A ProbeSession wraps a device with
// a budget of distinct architectures (search_space/arch.h; "cells" below: NAS-Bench-201 cells
// or FBNet networks, the session is of the space of its numbering): probing a new cell spends
// one probe (and refuses once the budget is spent), probing a cell again answers from the
// session's cache for free.
// Live measurements go to the probe store as soon as they are taken; with a run id, a
// restarted search gets its earlier measurements back from the store instead of
// measuring again (they still count against the budget, as they did the first time).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/core/file_lock.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_store.h"
#include "simnas/search_space/search_space.h"

namespace simnas {

struct ProbeRecord {
  Arch arch;
  int index = -1;  // in the space's numbering (NATS-Bench index; FBNet: row in HELP's 5,000), or -1
  Measurement measurement;
  bool replayed = false;  // answered from the probe store (an earlier run), not measured now
};

class ProbeSession {
 public:
  // `store` may be null (nothing persisted, no replay); it is used only for live devices.
  // With a store, it must be writable and, with a run id, the run id is locked for the
  // session's life (a second process with the same store and run id is refused): both are
  // checked here, before anything is measured.
  // `space` numbers the architectures and must outlive the session.
  ProbeSession(Device& device, const ArchNumbering& space, int budget, ProbeStore* store = nullptr,
               std::string run_id = "");

  // The measurement of `cell`: cached if already probed in this session (free, even with no
  // probes left), else replayed from the store or measured on the device, spending one probe.
  // Null when a new cell is asked for with no probes left: nothing is measured and the caller
  // stops (a spent budget is the normal end of a search, not an error). DeviceError from the
  // device propagates and spends nothing.
  // An architecture of another space than the session's throws Error.
  const ProbeRecord* TryProbe(const Arch& arch);
  // TryProbe for callers that sized the budget to the cells they ask for (a measurement of a
  // list of cells): asking beyond the budget is a bug there, and throws Error saying so.
  const ProbeRecord& Probe(const Arch& arch);

  bool WasProbed(const Arch& arch) const { return by_arch_.count(arch) > 0; }
  const ProbeRecord* Find(const Arch& arch) const;
  SpaceKind space() const { return space_->space(); }
  int budget() const { return budget_; }
  int used() const { return static_cast<int>(history_.size()); }
  int remaining() const { return budget_ - used(); }
  // Distinct probed cells, in the order they were first probed.
  const std::vector<ProbeRecord>& history() const { return history_; }
  const std::string& run_id() const { return run_id_; }
  const Device& device() const { return *device_; }
  int measured_now() const { return measured_now_; }

 private:
  Device* device_;
  const ArchNumbering* space_;
  int budget_;
  ProbeStore* store_;
  std::string run_id_;
  std::unique_ptr<FileLock> run_lock_;
  std::string fingerprint_;
  std::vector<ProbeRecord> history_;
  std::map<Arch, std::size_t> by_arch_;            // architecture -> position in history_
  std::map<Arch, Measurement> stored_;             // architecture -> measurement from an earlier run
  int measured_now_ = 0;
};

}  // namespace simnas
