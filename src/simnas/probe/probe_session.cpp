#include "simnas/probe/probe_session.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"

namespace simnas {

ProbeSession::ProbeSession(Device& device, const ArchNumbering& space, int budget, ProbeStore* store,
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
    for (const StoredProbe& p : store_->Load(run_id_, fingerprint_, space_->space())) {
      try {
        stored_.emplace(ParseArch(p.space, p.arch), p.measurement);
      } catch (const ParseError&) {
        // A row another tool wrote badly is not ours to replay; it will be measured again.
      }
    }
  }
}

const ProbeRecord* ProbeSession::Find(const Arch& arch) const {
  const auto it = by_arch_.find(arch);
  return it == by_arch_.end() ? nullptr : &history_[it->second];
}

const ProbeRecord& ProbeSession::Probe(const Arch& arch) {
  if (const ProbeRecord* record = TryProbe(arch)) return *record;
  throw Error(fmt::format("probe budget of {} distinct cells is spent; cannot measure {} (the caller asked for more "
                          "cells than it budgeted)",
                          budget_, arch.ToString()));
}

const ProbeRecord* ProbeSession::TryProbe(const Arch& arch) {
  if (const ProbeRecord* cached = Find(arch)) return cached;
  if (remaining() <= 0) return nullptr;
  ProbeRecord record;
  record.arch = arch;
  record.index = space_->IndexOf(arch);  // throws for an architecture of another space
  if (const auto it = stored_.find(arch); it != stored_.end()) {
    record.measurement = it->second;
    record.replayed = true;
  } else {
    if (InterruptRequested()) {
      throw Interrupted(fmt::format("interrupted before measuring {} on {}; {} probe(s) so far are saved{}", arch.ToString(),
                                    device_->Spec(), used(), store_ != nullptr ? " in the probe store" : ""));
    }
    record.measurement = device_->Measure(arch);
    ++measured_now_;
    if (store_ != nullptr) {
      store_->Record(run_id_, fingerprint_, device_->Spec(), arch, record.index, record.measurement);
    }
  }
  by_arch_.emplace(arch, history_.size());
  history_.push_back(record);
  return &history_.back();
}

}  // namespace simnas
