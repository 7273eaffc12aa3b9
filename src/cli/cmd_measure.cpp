// simnas measure: one cell on one device. simnas measure-all: many cells, written as a
// table CSV that `table:PATH` replays (resumable through the probe store).
#include <algorithm>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/data/latency_table.h"
#include "simnas/probe/measure_passes.h"
#include "simnas/probe/probe_session.h"

namespace simnas::cli {
namespace {

std::string SanitizeForFile(const std::string& spec) {
  std::string s;
  for (char c : spec) s += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return s;
}

// A device's reason on one line (a program's stderr may span several).
std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

struct MeasureAllArgs {
  std::vector<std::string> devices;
  std::optional<int> sample;
  std::uint64_t seed = 0;
  std::string out;
  std::string out_dir;
  std::string run_id;
};

struct MeasureAllResult {
  std::string line;  // what was written
  int missing = 0;   // cells that failed in every pass
};

// Measures the cells of one device into its table CSV. A cell the device fails is skipped with
// a warning and tried again after the pass (kMeasurePasses passes in all, as the benchmark's
// reference sample); cells that fail every pass are named in a comment of the CSV.
MeasureAllResult MeasureAll(const MeasureAllArgs& args, const std::string& spec, CliContext& ctx) {
  const SearchSpace& space = ctx.Data().space();
  std::unique_ptr<Device> device = ctx.OpenDevice(spec);
  std::vector<int> indices(kNumCells);
  std::iota(indices.begin(), indices.end(), 0);
  if (args.sample) {
    std::mt19937_64 rng(args.seed);
    std::shuffle(indices.begin(), indices.end(), rng);
    indices.resize(static_cast<std::size_t>(*args.sample));
  }
  const std::string default_name = "measured-" + SanitizeForFile(device->Spec()) + ".csv";
  const std::string out = !args.out.empty()     ? args.out
                          : args.out_dir.empty() ? default_name
                                                 : (std::filesystem::path(args.out_dir) / default_name).string();
  const std::string run_id =
      args.run_id.empty() ? fmt::format("measure-all:sample={}:seed={}", args.sample.value_or(kNumCells), args.seed)
                          : args.run_id;
  // One writer per output file (the run id is locked by the session, before any measurement).
  const std::filesystem::path out_path(out);
  if (std::error_code ec; std::filesystem::is_directory(out_path, ec)) {
    throw ParseError(fmt::format("--out {} is a directory; give the CSV file to write", out));
  }
  const FileLock out_lock(out_path.parent_path() / ("." + out_path.filename().string() + ".lock"), "output " + out);
  ProbeSession session(*device, space, static_cast<int>(indices.size()), &ctx.Store(), run_id);
  std::vector<std::string> comments = {
      fmt::format("simnas {} measure-all --device {} --sample {} --seed {}", SIMNAS_VERSION, spec,
                  args.sample.value_or(kNumCells), args.seed),
      "device: " + device->Fingerprint(), "run id: " + run_id};
  auto write = [&] {
    std::vector<LatencyCsvRow> rows;
    for (const ProbeRecord& r : session.history()) {
      rows.push_back({r.index, r.measurement.latency_ms, r.measurement.spread, r.measurement.repeats,
                      r.arch.ToString()});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    SaveLatencyCsv(out, comments, rows);
  };
  Progress progress("measure-all " + device->Spec(), static_cast<std::int64_t>(indices.size()), 0, "cells");
  int since_write = 0;
  std::vector<FailedCell> missing;
  try {
    missing = MeasureInPasses(
        indices, kMeasurePasses,
        [&](int index) {
          if (InterruptRequested()) throw Interrupted("measure-all interrupted");
          const ProbeRecord& r = session.Probe(space.CellAt(index));
          progress.Advance(1, fmt::format("last {:.3f} ms", r.measurement.latency_ms));
          if (++since_write >= 25) {
            write();
            since_write = 0;
          }
        },
        [&](int index, const std::string& reason, int pass, bool last) {
          spdlog::warn("measure-all: cell {} {} failed on {} (pass {} of {}): {}; {}", index,
                       space.CellAt(index).ToString(), device->Spec(), pass, kMeasurePasses, OneLine(reason),
                       last ? "left out" : "tried again after this pass");
        });
  } catch (const Interrupted&) {  // also from inside a measurement (the device program is killed)
    write();
    ThrowIfInterrupted("measure-all");
    throw;
  }
  if (!missing.empty()) {
    std::string names;
    for (const FailedCell& c : missing) names += fmt::format("{}{}", names.empty() ? "" : " ", c.index);
    comments.push_back(fmt::format("missing: {} of {} cells failed {} passes: {}", missing.size(), indices.size(),
                                   kMeasurePasses, names));
    for (const FailedCell& c : missing) {
      comments.push_back(fmt::format("missing {} {}: {}", c.index, space.CellAt(c.index).ToString(), OneLine(c.reason)));
    }
  }
  write();
  progress.Finish();
  MeasureAllResult result;
  result.missing = static_cast<int>(missing.size());
  result.line = fmt::format("wrote {} ({} cells, {} measured now, {} replayed from {}{})", out, session.used(),
                            session.measured_now(), session.used() - session.measured_now(),
                            ctx.Store().path().string(),
                            missing.empty() ? "" : fmt::format("; {} cells missing, listed in the file", missing.size()));
  return result;
}

}  // namespace

void AddMeasureCommands(CLI::App& app, CliContext& ctx) {
  {
    auto* cmd = app.add_subcommand("measure", "Measure the latency of one architecture on a device");
    struct Args {
      std::string device;
      CellArgs cell;
      std::string run_id;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    AddDeviceOption(cmd, args->device, "Device spec (table:NAME, synthetic:SEED, local, cmd:..., or a name)")
        ->required();
    AddCellOptions(cmd, args->cell);
    cmd->add_option("--run-id", args->run_id, "Run id recorded in the probe store (default: a new one)");
    cmd->add_flag("--json", args->json, "Print JSON");
    cmd->callback([args, &ctx] {
      RequireCell(args->cell, "measure");
      // The same path for every space: the architecture handle through a probe session.
      const ArchNumbering& space = ctx.Numbering();
      const Arch arch = ctx.ResolveArch(args->cell, "measure");
      std::unique_ptr<Device> device = ctx.OpenDevice(args->device);
      const std::string run_id = args->run_id.empty() ? NewRunId() : args->run_id;
      ProbeSession session(*device, space, 1, device->IsLive() ? &ctx.Store() : nullptr, run_id);
      const ProbeRecord& r = session.Probe(arch);
      if (args->json) {
        nlohmann::json j = {{"device", device->Spec()},
                            {"arch", arch.ToString()},
                            {"index", r.index},
                            {"latency_ms", r.measurement.latency_ms},
                            {"spread", r.measurement.spread},
                            {"repeats", r.measurement.repeats},
                            {"replayed", r.replayed},
                            {"run_id", run_id}};
        if (arch.space() != SpaceKind::kNb201) {
          j["space"] = std::string(SpaceKindName(arch.space()));
          if (r.index < 0) j["index"] = nullptr;  // not one of the space's numbered networks
        }
        PrintJson(j);
        return;
      }
      fmt::print("{:.4f} ms  (spread {:.1f}%, {} repeats) {} on {}\n", r.measurement.latency_ms,
                 100 * r.measurement.spread, r.measurement.repeats, arch.ToString(), device->Spec());
    });
  }
  {
    auto* cmd = app.add_subcommand("measure-all", "Measure all (or a random sample of) cells on a device into a "
                                                  "table CSV; resumable. Several --device: a device farm (under "
                                                  "mpirun, one device per rank at a time)");
    auto args = std::make_shared<MeasureAllArgs>();
    AddDeviceOption(cmd, args->devices, "Device spec; repeat for several devices")->required();
    cmd->add_option("--sample", args->sample, "Measure K random cells instead of all 15,625")
        ->check(CLI::Range(1, kNumCells));
    AddSeedOption(cmd, args->seed, "Seed of the sample");
    cmd->add_option("--out", args->out, "CSV to write (default: measured-<device>.csv; one device only)");
    auto* out_dir = cmd->add_option("--out-dir", args->out_dir, "Folder for measured-<device>.csv (default: .)");
    out_dir->excludes("--out");
    cmd->add_option("--run-id", args->run_id, "Run id (default: derived from device, sample and seed, so that the "
                                              "same command resumes)");
    cmd->callback([args, &ctx] {
      if (args->devices.size() > 1 && !args->out.empty()) {
        throw ParseError("measure-all --out names one file; with several --device each device is written to "
                         "measured-<device>.csv (in --out-dir)");
      }
      Cluster& cluster = *ctx.cluster;
      // Whole devices are handed out, one at a time: each rank drives one device, and every
      // measurement goes to the probe store as it is taken; rank 0 prints what was written.
      std::unique_ptr<WorkQueue> queue =
          cluster.Distribute(static_cast<std::int64_t>(args->devices.size()), 1,
                             [](const std::string& line) { fmt::print(stderr, "{}\n", line); });
      int missing = 0;
      while (const std::optional<std::int64_t> item = queue->Next()) {
        MeasureAllResult r = MeasureAll(*args, args->devices[static_cast<std::size_t>(*item)], ctx);
        missing += r.missing;
        queue->Post(std::move(r.line));
      }
      queue->Finish();
      // Everything measured is written and stored; the exit status says the sample is incomplete.
      if (missing > 0) {
        throw Error(fmt::format("measure-all: {} cells left unmeasured after {} passes (named in the output file's "
                                "'# missing' comments); run the same command again to retry them",
                                missing, kMeasurePasses));
      }
    });
  }
}

}  // namespace simnas::cli
