// The one place every latency a search sees comes from. A ProbeSession wraps a device with
// a budget of distinct architectures (space/arch.h; "cells" below: the architectures of the
// session's space): probing a new cell spends
// one probe (and refuses once the budget is spent), probing a cell again answers from the
// session's cache for free.
// Live measurements go to the probe store as soon as they are taken; with a run id, a
// restarted search gets its earlier measurements back from the store instead of
// measuring again (they still count against the budget, as they did the first time).
// A probe the device refuses (DeviceError: too noisy, timed out, a program failing for one
// architecture) is, for a search (TryProbe), a failed probe: recorded with its reason in the
// history and the store, it costs that one probe and the search goes on; a resumed run
// replays it as a failure. Strategies and answer rules read measured records only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/core/file_lock.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space.h"

namespace simnas {

struct ProbeRecord {
  Arch arch;
  int index = -1;  // position among the session's candidates (space/candidates.h), or -1 when not one
  Measurement measurement;  // zero when the probe failed
  bool replayed = false;  // answered from the probe store (an earlier run), not measured now
  std::string failure;    // why the device refused the cell; empty when it was measured
  bool failed() const { return !failure.empty(); }
};

// After this many failed probes in a row the session grants no more probes (TryProbe answers
// null, as with a spent budget): a device that refuses everything is not asked the whole budget.
inline constexpr int kMaxFailedProbesInARow = 3;

// Told of every new probe of a session (measured, replayed or failed) as it is added: the
// record, the probes used so far (this one included), the budget, and the seconds the device
// took (0 for a replay). For progress lines (a session with an observer logs no warning of its
// own for a failed probe); must not throw.
using ProbeObserver = std::function<void(const ProbeRecord& record, int used, int budget, double seconds)>;

class ProbeSession {
 public:
  // `store` may be null (nothing persisted, no replay); it is used only for live devices.
  // With a store, it must be writable and, with a run id, the run id is locked for the
  // session's life (a second process with the same store and run id is refused): both are
  // checked here, before anything is measured.
  // `candidates` number the architectures (record.index) and must outlive the session; an
  // architecture that is not a candidate may still be probed (index -1).
  ProbeSession(Device& device, const CandidateSet& candidates, int budget, ProbeStore* store = nullptr,
               std::string run_id = "");

  // The record of `cell`: cached if already probed in this session (free, even with no
  // probes left), else replayed from the store or measured on the device, spending one probe.
  // A DeviceError from the device makes a failed record (failed(), with the device's reason),
  // recorded in the store like a measurement: it spends the probe, and the caller goes on with
  // another cell. Null when a new cell is asked for with no probes left, or after
  // kMaxFailedProbesInARow failures in a row (stopped_reason() says so): nothing is measured
  // and the caller stops (a spent budget is the normal end of a search, not an error).
  // An architecture of another space than the session's throws Error; Interrupted propagates.
  const ProbeRecord* TryProbe(const Arch& arch);
  // For callers that sized the budget to the cells they ask for (a measurement of a list of
  // cells): a measured record, never a failed one. A DeviceError propagates, spends nothing
  // and records nothing (the caller may ask for the cell again later); a failure stored for the
  // run is measured again; a cell that failed under TryProbe throws DeviceError with its
  // reason. Asking beyond the budget is a bug there, and throws Error saying so.
  const ProbeRecord& Probe(const Arch& arch);

  // True once `arch` was probed in this session, measured or failed (a strategy asks for
  // another cell either way).
  bool WasProbed(const Arch& arch) const { return by_arch_.count(arch) > 0; }
  // The measured record of `arch`; null when it was not probed or its probe failed.
  const ProbeRecord* Find(const Arch& arch) const;
  const Space& space() const { return candidates_->space(); }
  const CandidateSet& candidates() const { return *candidates_; }
  int budget() const { return budget_; }
  int used() const { return static_cast<int>(history_.size()); }
  int remaining() const { return stopped_reason_.empty() ? budget_ - used() : 0; }
  // Distinct probed cells, in the order they were first probed, measured and failed ones.
  const std::vector<ProbeRecord>& history() const { return history_; }
  // The measured records of history(), in the same order (what strategies and answers use).
  const std::vector<ProbeRecord>& measured() const { return measured_; }
  int failures() const { return used() - static_cast<int>(measured_.size()); }
  // Why the session grants no more probes before its budget is spent (failures in a row);
  // empty otherwise.
  const std::string& stopped_reason() const { return stopped_reason_; }
  // Throws DeviceError when at least one probe failed and none was measured (there is nothing
  // to answer with), saying how many failed, the last reason, and that the run id replays them.
  void ThrowIfEveryProbeFailed() const;
  const std::string& run_id() const { return run_id_; }
  const Device& device() const { return *device_; }
  int measured_now() const { return measured_now_; }
  // Calls `observer` for every new probe from now on (empty: nobody).
  void set_observer(ProbeObserver observer) { observer_ = std::move(observer); }

 private:
  Device* device_;
  const CandidateSet* candidates_;
  int budget_;
  ProbeStore* store_;
  std::string run_id_;
  std::unique_ptr<FileLock> run_lock_;
  std::string fingerprint_;
  // Appends `record` to the history (and to measured_ when it was measured).
  const ProbeRecord& Add(ProbeRecord record);
  // Measures `arch` on the device now and stores it; DeviceError and Interrupted propagate.
  // The position of `arch` among the candidates (-1: none); Error for another space's.
  int IndexOf(const Arch& arch) const;
  // The numbering index of candidate `index` (-1 stays -1), what the probe store keeps.
  int NumberOf(int index) const;
  Measurement MeasureNow(const Arch& arch, int index);

  std::vector<ProbeRecord> history_;
  std::vector<ProbeRecord> measured_;
  std::map<Arch, std::size_t> by_arch_;            // architecture -> position in history_
  std::map<Arch, StoredProbe> stored_;             // architecture -> probe of an earlier run
  int measured_now_ = 0;
  int failed_in_a_row_ = 0;
  std::string stopped_reason_;
  ProbeObserver observer_;
  double probe_seconds_ = 0;  // the device's time for the probe being added
};

}  // namespace simnas
