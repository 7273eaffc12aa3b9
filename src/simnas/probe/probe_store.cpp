#include "simnas/probe/probe_store.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <random>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <sqlite3.h>

#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/shipped_files.h"

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
        // The search space of a row; the rows of a store written before it are NAS-Bench-201's.
        const auto has_space = [this] {
          SQLite::Statement columns(*db_, "PRAGMA table_info(probes)");
          bool found = false;
          while (columns.executeStep()) found |= columns.getColumn(1).getString() == "space";
          return found;
        };
        if (!has_space()) {
          try {
            db_->exec("ALTER TABLE probes ADD COLUMN space TEXT NOT NULL DEFAULT 'nb201'");
          } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() == SQLITE_BUSY) throw;
            // Another process added it meanwhile, or the store is read-only: then its rows are
            // read as NAS-Bench-201's, and CheckWritable refuses to record.
          }
        }
        has_space_column_ = has_space();
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

void ProbeStore::Record(const std::string& run_id, const std::string& device_fingerprint,
                        const std::string& device_spec, const Arch& arch, int index, const Measurement& m) {
  try {
    SQLite::Statement insert(*db_,
                             "INSERT INTO probes (run_id, device, device_spec, arch, arch_index, latency_ms, spread, "
                             "repeats, measured_at, space) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, run_id);
    insert.bind(2, device_fingerprint);
    insert.bind(3, device_spec);
    insert.bind(4, arch.ToString());
    insert.bind(5, index);
    insert.bind(6, m.latency_ms);
    insert.bind(7, m.spread);
    insert.bind(8, m.repeats);
    insert.bind(9, UtcNow("%Y-%m-%dT%H:%M:%SZ"));
    insert.bind(10, std::string(SpaceKindName(arch.space())));
    insert.exec();
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: cannot record a measurement: {}", path_.string(), e.what()));
  }
}

namespace {

std::vector<StoredProbe> ReadRows(SQLite::Statement& query, SpaceKind space) {
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
    p.space = space;
    rows.push_back(std::move(p));
  }
  return rows;
}

}  // namespace

std::vector<StoredProbe> ProbeStore::Load(const std::string& run_id, const std::string& device_fingerprint,
                                          SpaceKind space) const {
  try {
    const std::string name(SpaceKindName(space));
    if (!has_space_column_ && space != SpaceKind::kNb201) return {};
    SQLite::Statement query(*db_, std::string("SELECT run_id, device, arch, arch_index, latency_ms, spread, repeats, "
                                              "measured_at FROM probes WHERE run_id = ? AND device = ?") +
                                      (has_space_column_ ? " AND space = ?" : "") + " ORDER BY id");
    query.bind(1, run_id);
    query.bind(2, device_fingerprint);
    if (has_space_column_) query.bind(3, name);
    return ReadRows(query, space);
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: {}", path_.string(), e.what()));
  }
}

std::vector<StoredProbe> ProbeStore::LoadDevice(const std::string& device_fingerprint, SpaceKind space) const {
  try {
    const std::string name(SpaceKindName(space));
    if (!has_space_column_ && space != SpaceKind::kNb201) return {};
    const std::string in_space = has_space_column_ ? " AND space = ?" : "";
    SQLite::Statement query(*db_,
                            "SELECT run_id, device, arch, arch_index, latency_ms, spread, repeats, measured_at "
                            "FROM probes WHERE id IN (SELECT MAX(id) FROM probes WHERE device = ?" +
                                in_space + " GROUP BY arch) ORDER BY id");
    query.bind(1, device_fingerprint);
    if (has_space_column_) query.bind(2, name);
    return ReadRows(query, space);
  } catch (const SQLite::Exception& e) {
    throw Error(fmt::format("probe store {}: {}", path_.string(), e.what()));
  }
}

}  // namespace simnas
