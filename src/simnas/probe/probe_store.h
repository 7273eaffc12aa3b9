// The probe store: every real measurement, written to SQLite the moment it is taken.
// WAL mode and a busy timeout make it safe for several processes at once. A search killed
// and restarted with the same run id replays its stored probes instead of measuring again.
// Rows are keyed by search space too (column `space`: the space's name; the architecture in the
// space's own text). A store written before the column existed holds rows of the default space
// only (space/registry.h): opening it adds the column with that name for every old row (a
// read-only old store is read as such), so its rows replay as before.
// A failed probe is a row whose column `failure` holds the device's reason (NULL for a
// measurement; latency 0). A live measurement's 95% interval of the median and its samples and
// passes per sample are in columns ci_low_ms, ci_high_ms, samples, passes (NULL when the device
// gives none). Columns added later are added to an older store when it is opened.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simnas/devices/device.h"

namespace SQLite {
class Database;
}

namespace simnas {

struct StoredProbe {
  std::string run_id;
  std::string space;  // the space's name
  std::string device;  // fingerprint
  std::string arch;
  int index = -1;
  Measurement measurement;   // zero for a failed probe
  std::string failure;       // why the device refused the architecture; empty for a measurement
  std::string measured_at;  // ISO 8601 UTC
  bool failed() const { return !failure.empty(); }
};

class ProbeStore {
 public:
  // Opens (creating if needed) the store at `path`. Throws Error naming the file when it
  // cannot be opened or is not a probe store.
  explicit ProbeStore(const std::filesystem::path& path);
  ~ProbeStore();
  ProbeStore(const ProbeStore&) = delete;
  ProbeStore& operator=(const ProbeStore&) = delete;

  // Appends one measurement durably (its own transaction).
  void Record(const std::string& run_id, const std::string& device_fingerprint, const std::string& device_spec,
              const Arch& arch, int index, const Measurement& m);
  // Appends one failed probe durably: the device refused `arch` for `reason` (non-empty).
  void RecordFailure(const std::string& run_id, const std::string& device_fingerprint,
                     const std::string& device_spec, const Arch& arch, int index, const std::string& reason);
  // Probes of a run on a device in one space, measured and failed, in the order they were taken.
  std::vector<StoredProbe> Load(const std::string& run_id, const std::string& device_fingerprint,
                                std::string_view space) const;
  // Every measurement of a device in one space across runs (latest per arch; failed probes
  // are not measurements and are left out), e.g. for reference samples.
  std::vector<StoredProbe> LoadDevice(const std::string& device_fingerprint, std::string_view space) const;
  const std::filesystem::path& path() const { return path_; }
  // Throws Error naming the store when a measurement could not be recorded now (read-only
  // file or folder, or a database another process keeps locked): checked before measuring.
  void CheckWritable() const;
  // The lock file that keeps a run id on a device to one process at a time
  // (<store>.locks/<run id>-<hash of the device fingerprint>.lock). Runs of the same id on
  // different devices (a device farm under mpirun) are different runs and do not wait.
  std::filesystem::path RunLockPath(const std::string& run_id, const std::string& device_fingerprint) const;

 private:
  // Adds column `name` to the probes table unless it is there; true when it is there after.
  bool AddColumnIfMissing(const std::string& name, const std::string& declaration);
  // One row: a measurement (`failure` empty) or a failed probe.
  void Insert(const std::string& run_id, const std::string& device_fingerprint, const std::string& device_spec,
              const Arch& arch, int index, const Measurement& m, const std::string& failure);
  // The columns added after the first version, in a SELECT list (NULL for an old store without them).
  std::string OptionalColumns() const {
    return std::string(has_failure_column_ ? "failure" : "NULL") +
           (has_interval_columns_ ? ", ci_low_ms, ci_high_ms, samples, passes" : ", NULL, NULL, NULL, NULL");
  }

  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
  bool has_space_column_ = true;    // false: an old store opened read-only (all its rows are of the default space)
  bool has_failure_column_ = true;  // false: an old store opened read-only (all its rows are measurements)
  bool has_interval_columns_ = true;  // false: an old store opened read-only (no intervals)
};

// A fresh run id: UTC time plus random suffix, e.g. "20261123-134501-3f9a".
std::string NewRunId();

}  // namespace simnas
