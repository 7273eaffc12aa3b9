#include "simnas/probe/probe_session.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"

namespace simnas {

ProbeSession::ProbeSession(Device& device, const SearchSpace& space, int budget, ProbeStore* store,
                           std::string run_id)
    : device_(&device),
      space_(&space),
      budget_(budget),
      store_(device.IsLive() ? store : nullptr),
      run_id_(std::move(run_id)),
      fingerprint_(device.Fingerprint()) {
  if (budget_ < 1) throw ParseError(fmt::format("probe budget must be at least 1, got {}", budget_));
  history_.reserve(static_cast<std::size_t>(budget_));  // records never move: references stay valid
  if (store_ != nullptr && !run_id_.empty()) {
    run_lock_ = std::make_unique<FileLock>(
        store_->RunLockPath(run_id_, fingerprint_),
        fmt::format("run id '{}' on device {} in probe store {}", run_id_, device.Spec(), store_->path().string()));
  }
  if (store_ != nullptr) store_->CheckWritable();
  if (store_ != nullptr && !run_id_.empty()) {
    for (const StoredProbe& p : store_->Load(run_id_, fingerprint_)) {
      try {
        stored_.emplace(Cell::Parse(p.arch).Code(), p.measurement);
      } catch (const ParseError&) {
        // A row another tool wrote badly is not ours to replay; it will be measured again.
      }
    }
  }
}

const ProbeRecord* ProbeSession::Find(const Cell& cell) const {
  const auto it = by_code_.find(cell.Code());
  return it == by_code_.end() ? nullptr : &history_[it->second];
}

const ProbeRecord& ProbeSession::Probe(const Cell& cell) {
  if (const ProbeRecord* record = TryProbe(cell)) return *record;
  throw Error(fmt::format("probe budget of {} distinct cells is spent; cannot measure {} (the caller asked for more "
                          "cells than it budgeted)",
                          budget_, cell.ToString()));
}

const ProbeRecord* ProbeSession::TryProbe(const Cell& cell) {
  if (const ProbeRecord* cached = Find(cell)) return cached;
  if (remaining() <= 0) return nullptr;
  ProbeRecord record;
  record.cell = cell;
  record.index = space_->IndexOf(cell);
  if (const auto it = stored_.find(cell.Code()); it != stored_.end()) {
    record.measurement = it->second;
    record.replayed = true;
  } else {
    if (InterruptRequested()) {
      throw Interrupted(fmt::format("interrupted before measuring {} on {}; {} probe(s) so far are saved{}", cell.ToString(),
                                    device_->Spec(), used(), store_ != nullptr ? " in the probe store" : ""));
    }
    record.measurement = device_->Measure(cell);
    ++measured_now_;
    if (store_ != nullptr) {
      store_->Record(run_id_, fingerprint_, device_->Spec(), cell.ToString(), record.index, record.measurement);
    }
  }
  by_code_.emplace(cell.Code(), history_.size());
  history_.push_back(record);
  return &history_.back();
}

}  // namespace simnas
