#include "simnas/probe/probe_store.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <random>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/shipped_files.h"
#include "simnas/space/registry.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

std::string UtcNow(const char* format) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string NewRunId() {
  std::random_device entropy;
  return fmt::format("{}-{:04x}", UtcNow("%Y%m%d-%H%M%S"), entropy() & 0xffff);
}

ProbeStore::ProbeStore(const fs::path& path) : path_(path) {
  RequireNotShipped(path);
  if (std::error_code ec; path.has_parent_path() && (fs::create_directories(path.parent_path(), ec), ec)) {
    throw Error(fmt::format("probe store {}: cannot create its folder {}: {}", path.string(),
                            path.parent_path().string(), ec.message()));
  }
  if (std::error_code ec; fs::is_directory(path, ec)) {
    throw Error(fmt::format("probe store {}: is a directory, expected a SQLite file", path.string()));
  }
  try {
    db_ = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(10000);
    // Switching a fresh file to WAL takes a lock SQLite does not wait for (its busy handler is
    // not called), so processes that open a new store at the same moment (ranks of one job)
    // retry for a while instead of failing.
    for (int attempt = 0;; ++attempt) {
      try {
        db_->exec("PRAGMA journal_mode=WAL");
        db_->exec("PRAGMA synchronous=NORMAL");
        db_->exec(
            "CREATE TABLE IF NOT EXISTS probes ("
            "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
            "  run_id TEXT NOT NULL,"
            "  device TEXT NOT NULL,"
            "  device_spec TEXT NOT NULL,"
            "  arch TEXT NOT NULL,"
            "  arch_index INTEGER NOT NULL,"
            "  latency_ms REAL NOT NULL,"
            "  spread REAL NOT NULL,"
            "  repeats INTEGER NOT NULL,"
            "  measured_at TEXT NOT NULL)");
        db_->exec("CREATE INDEX IF NOT EXISTS probes_run ON probes(run_id, device)");
        db_->exec("CREATE INDEX IF NOT EXISTS probes_device ON probes(device, arch)");
        // Columns added after the first version; the rows of a store written before them are
        // the default space's (space) and measurements (failure).
        has_space_column_ = AddColumnIfMissing("space", fmt::format("TEXT NOT NULL DEFAULT '{}'", kDefaultSpaceName));
        has_failure_column_ = AddColumnIfMissing("failure", "TEXT");
        // The interval of the median, samples and passes per sample (NULL when not given).
        has_interval_columns_ = AddColumnIfMissing("ci_low_ms", "REAL") & AddColumnIfMissing("ci_high_ms", "REAL") &
                                AddColumnIfMissing("samples", "INTEGER") & AddColumnIfMissing("passes", "INTEGER");
        break;
      } catch (const SQLite::Exception& e) {
        if (e.getErrorCode() != SQLITE_BUSY || attempt >= 200) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: {}", path.string(), e.what()));
  }
}

ProbeStore::~ProbeStore() = default;

bool ProbeStore::AddColumnIfMissing(const std::string& name, const std::string& declaration) {
  const auto has_column = [&] {
    SQLite::Statement columns(*db_, "PRAGMA table_info(probes)");
    bool found = false;
    while (columns.executeStep()) found |= columns.getColumn(1).getString() == name;
    return found;
  };
  if (has_column()) return true;
  try {
    db_->exec("ALTER TABLE probes ADD COLUMN " + name + " " + declaration);
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_BUSY) throw;
    // Another process added it meanwhile, or the store is read-only: then CheckWritable
    // refuses to record, and reading treats the column as absent.
  }
  return has_column();
}

void ProbeStore::CheckWritable() const {
  try {
    if (db_->getHandle() != nullptr && sqlite3_db_readonly(db_->getHandle(), "main") == 1) {
      throw Error(fmt::format("probe store {} is read-only; measurements could not be recorded (use --store)",
                              path_.string()));
    }
    // A write transaction taken and given back: fails now, not after a measurement, when
    // the file, its folder (WAL files) or the database lock is out of reach.
    db_->exec("BEGIN IMMEDIATE");
    db_->exec("ROLLBACK");
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {} cannot record measurements: {}", path_.string(), e.what()));
  }
}

fs::path ProbeStore::RunLockPath(const std::string& run_id, const std::string& device_fingerprint) const {
  return fs::path(path_.string() + ".locks") /
         fmt::format("{}-{:016x}.lock", FileNameSafe(run_id), std::hash<std::string>{}(device_fingerprint));
}

void ProbeStore::Insert(const std::string& run_id, const std::string& device_fingerprint,
                        const std::string& device_spec, const Arch& arch, int index, const Measurement& m,
                        const std::string& failure) {
  try {
    SQLite::Statement insert(*db_,
                             "INSERT INTO probes (run_id, device, device_spec, arch, arch_index, latency_ms, spread, "
                             "repeats, measured_at, space, failure, ci_low_ms, ci_high_ms, samples, passes) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, run_id);
    insert.bind(2, device_fingerprint);
    insert.bind(3, device_spec);
    insert.bind(4, arch.ToString());
    insert.bind(5, index);
    insert.bind(6, m.latency_ms);
    insert.bind(7, m.spread);
    insert.bind(8, m.repeats);
    insert.bind(9, UtcNow("%Y-%m-%dT%H:%M:%SZ"));
    insert.bind(10, std::string(arch.space_name()));
    // NULL where there is nothing to keep (no failure: a measurement).
    const auto bind_if = [&insert](int column, bool given, const auto& value) {
      if (given) {
        insert.bind(column, value);
      } else {
        insert.bind(column);
      }
    };
    bind_if(11, !failure.empty(), failure);
    bind_if(12, m.has_interval(), m.ci_low_ms);
    bind_if(13, m.has_interval(), m.ci_high_ms);
    bind_if(14, m.samples > 0, m.samples);
    bind_if(15, m.samples > 0, m.passes);
    insert.exec();
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: cannot record a {}: {}", path_.string(),
                            failure.empty() ? "measurement" : "failed probe", e.what()));
  }
}

void ProbeStore::Record(const std::string& run_id, const std::string& device_fingerprint,
                        const std::string& device_spec, const Arch& arch, int index, const Measurement& m) {
  Insert(run_id, device_fingerprint, device_spec, arch, index, m, "");
}

void ProbeStore::RecordFailure(const std::string& run_id, const std::string& device_fingerprint,
                               const std::string& device_spec, const Arch& arch, int index,
                               const std::string& reason) {
  if (reason.empty()) throw Error("probe store: a failed probe needs its reason");
  Measurement none;
  none.repeats = 0;
  Insert(run_id, device_fingerprint, device_spec, arch, index, none, reason);
}

namespace {

std::vector<StoredProbe> ReadRows(SQLite::Statement& query, std::string_view space) {
  std::vector<StoredProbe> rows;
  while (query.executeStep()) {
    StoredProbe p;
    p.run_id = query.getColumn(0).getString();
    p.device = query.getColumn(1).getString();
    p.arch = query.getColumn(2).getString();
    p.index = query.getColumn(3).getInt();
    p.measurement.latency_ms = query.getColumn(4).getDouble();
    p.measurement.spread = query.getColumn(5).getDouble();
    p.measurement.repeats = query.getColumn(6).getInt();
    p.measured_at = query.getColumn(7).getString();
    if (!query.getColumn(8).isNull()) p.failure = query.getColumn(8).getString();
    if (!query.getColumn(9).isNull()) p.measurement.ci_low_ms = query.getColumn(9).getDouble();
    if (!query.getColumn(10).isNull()) p.measurement.ci_high_ms = query.getColumn(10).getDouble();
    if (!query.getColumn(11).isNull()) p.measurement.samples = query.getColumn(11).getInt();
    if (!query.getColumn(12).isNull()) p.measurement.passes = query.getColumn(12).getInt();
    p.space = std::string(space);
    rows.push_back(std::move(p));
  }
  return rows;
}

}  // namespace

std::vector<StoredProbe> ProbeStore::Load(const std::string& run_id, const std::string& device_fingerprint,
                                          std::string_view space) const {
  try {
    const std::string name(space);
    if (!has_space_column_ && space != kDefaultSpaceName) return {};
    SQLite::Statement query(*db_, "SELECT run_id, device, arch, arch_index, latency_ms, spread, repeats, measured_at, " +
                                      OptionalColumns() + " FROM probes WHERE run_id = ? AND device = ?" +
                                      (has_space_column_ ? " AND space = ?" : "") + " ORDER BY id");
    query.bind(1, run_id);
    query.bind(2, device_fingerprint);
    if (has_space_column_) query.bind(3, name);
    return ReadRows(query, space);
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: {}", path_.string(), e.what()));
  }
}

std::vector<StoredProbe> ProbeStore::LoadDevice(const std::string& device_fingerprint, std::string_view space) const {
  try {
    const std::string name(space);
    if (!has_space_column_ && space != kDefaultSpaceName) return {};
    const std::string in_space = has_space_column_ ? " AND space = ?" : "";
    const std::string measured = has_failure_column_ ? " AND failure IS NULL" : "";
    SQLite::Statement query(*db_,
                            "SELECT run_id, device, arch, arch_index, latency_ms, spread, repeats, measured_at, " +
                                OptionalColumns() + " FROM probes WHERE id IN (SELECT MAX(id) FROM probes WHERE device = ?" +
                                in_space + measured + " GROUP BY arch) ORDER BY id");
    query.bind(1, device_fingerprint);
    if (has_space_column_) query.bind(2, name);
    return ReadRows(query, space);
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: {}", path_.string(), e.what()));
  }
}

}  // namespace simnas
