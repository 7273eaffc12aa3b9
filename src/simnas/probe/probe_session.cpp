#include "simnas/probe/probe_session.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"

namespace simnas {

ProbeSession::ProbeSession(Device& device, const CandidateSet& candidates, int budget, ProbeStore* store,
                           std::string run_id)
    : device_(&device),
      candidates_(&candidates),
      budget_(budget),
      store_(device.IsLive() ? store : nullptr),
      run_id_(std::move(run_id)),
      fingerprint_(device.Fingerprint()) {
  if (budget_ < 1) throw ParseError(fmt::format("probe budget must be at least 1, got {}", budget_));
  history_.reserve(static_cast<std::size_t>(budget_));  // records never move: references stay valid
  measured_.reserve(static_cast<std::size_t>(budget_));
  if (store_ != nullptr && !run_id_.empty()) {
    run_lock_ = std::make_unique<FileLock>(
        store_->RunLockPath(run_id_, fingerprint_),
        fmt::format("run id '{}' on device {} in probe store {}", run_id_, device.Spec(), store_->path().string()));
  }
  if (store_ != nullptr) store_->CheckWritable();
  if (store_ != nullptr && !run_id_.empty()) {
    for (const StoredProbe& p : store_->Load(run_id_, fingerprint_, space().name())) {
      try {
        const auto [it, added] = stored_.emplace(space().Parse(p.arch), p);
        if (!added && it->second.failed() && !p.failed()) it->second = p;  // a measurement beats a failure
      } catch (const ParseError&) {
        // A row another tool wrote badly is not ours to replay; it will be measured again.
      }
    }
  }
}

const ProbeRecord* ProbeSession::Find(const Arch& arch) const {
  const auto it = by_arch_.find(arch);
  if (it == by_arch_.end() || history_[it->second].failed()) return nullptr;
  return &history_[it->second];
}

const ProbeRecord& ProbeSession::Add(ProbeRecord record) {
  if (record.failed()) {
    if (++failed_in_a_row_ >= kMaxFailedProbesInARow && used() + 1 < budget_) {
      stopped_reason_ = fmt::format("the device refused {} probes in a row (last: {})", failed_in_a_row_,
                                    record.failure);
    }
  } else {
    failed_in_a_row_ = 0;
    measured_.push_back(record);
  }
  by_arch_.emplace(record.arch, history_.size());
  history_.push_back(std::move(record));
  if (observer_) observer_(history_.back(), used(), budget_, history_.back().replayed ? 0.0 : probe_seconds_);
  return history_.back();
}

void ProbeSession::ThrowIfEveryProbeFailed() const {
  if (!measured_.empty() || history_.empty()) return;
  throw DeviceError(fmt::format(
      "every probe failed on {}: {} of {} cells refused{}, none measured, nothing to answer with (last: {}); the "
      "failures are kept{} -- run again with a new run id to measure again",
      device_->Spec(), history_.size(), budget_, stopped_reason_.empty() ? "" : " in a row",
      history_.back().failure,
      store_ != nullptr && !run_id_.empty() ? fmt::format(" in {} under run id {}", store_->path().string(), run_id_)
                                            : ""));
}

const ProbeRecord& ProbeSession::Probe(const Arch& arch) {
  if (const auto it = by_arch_.find(arch); it != by_arch_.end()) {
    const ProbeRecord& record = history_[it->second];
    if (record.failed()) {
      throw DeviceError(fmt::format("{} on {}: {}", arch.ToString(), device_->Spec(), record.failure));
    }
    return record;
  }
  if (used() >= budget_) {
    throw Error(fmt::format("probe budget of {} distinct cells is spent; cannot measure {} (the caller asked for "
                            "more cells than it budgeted)",
                            budget_, arch.ToString()));
  }
  ProbeRecord record;
  record.arch = arch;
  record.index = IndexOf(arch);
  if (const auto it = stored_.find(arch); it != stored_.end() && !it->second.failed()) {
    record.measurement = it->second.measurement;
    record.replayed = true;
    return Add(std::move(record));
  }
  record.measurement = MeasureNow(arch, record.index);  // a DeviceError leaves no trace
  return Add(std::move(record));
}

int ProbeSession::IndexOf(const Arch& arch) const {
  if (arch.empty() || &arch.space() != &space()) {
    throw Error(fmt::format("{} is not a {} {}", arch.empty() ? "an empty architecture" : arch.ToString(),
                            space().name(), space().arch_noun()));
  }
  return candidates_->IndexOf(arch);
}

int ProbeSession::NumberOf(int index) const { return index >= 0 ? candidates_->NumberOf(index) : -1; }

Measurement ProbeSession::MeasureNow(const Arch& arch, int index) {
  if (InterruptRequested()) {
    throw Interrupted(fmt::format("interrupted before measuring {} on {}; {} probe(s) so far are saved{}",
                                  arch.ToString(), device_->Spec(), used(),
                                  store_ != nullptr ? " in the probe store" : ""));
  }
  const auto start = std::chrono::steady_clock::now();
  probe_seconds_ = 0;
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  Measurement m;
  try {
    m = device_->Measure(arch);
  } catch (const DeviceError&) {
    probe_seconds_ = seconds();
    throw;
  }
  probe_seconds_ = seconds();
  ++measured_now_;
  if (store_ != nullptr) store_->Record(run_id_, fingerprint_, device_->Spec(), arch, NumberOf(index), m);
  return m;
}

const ProbeRecord* ProbeSession::TryProbe(const Arch& arch) {
  if (const auto it = by_arch_.find(arch); it != by_arch_.end()) return &history_[it->second];
  if (remaining() <= 0) return nullptr;
  ProbeRecord record;
  record.arch = arch;
  record.index = IndexOf(arch);
  if (const auto it = stored_.find(arch); it != stored_.end()) {
    record.measurement = it->second.measurement;
    record.failure = it->second.failure;
    record.replayed = true;
    return &Add(std::move(record));
  }
  try {
    record.measurement = MeasureNow(arch, record.index);
  } catch (const DeviceError& e) {
    record.failure = *e.what() != '\0' ? e.what() : "the device failed without a reason";
    if (store_ != nullptr) {
      store_->RecordFailure(run_id_, fingerprint_, device_->Spec(), arch, NumberOf(record.index), record.failure);
    }
    if (!observer_) spdlog::warn("probe of {} failed on {} ({} of {} probes; the search goes on): {}", arch.ToString(),
                 device_->Spec(), used() + 1, budget_, record.failure);
  }
  return &Add(std::move(record));
}

}  // namespace simnas
