// simnas measure: one architecture of --space on one device. simnas measure-all: many, written
// as a table CSV that `table:PATH` replays (resumable through the probe store).
#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/address_layout.h"
#include "simnas/core/error.h"
#include "simnas/probe/measure_all.h"
#include "simnas/probe/probe_session.h"

namespace simnas::cli {
namespace {

struct MeasureAllArgs {
  std::vector<std::string> devices;
  std::optional<int> sample;
  std::uint64_t seed = 0;
  std::string out;
  std::string out_dir;
  std::string run_id;
  int rounds = 1;
};

struct MeasureAllResult {
  std::string line;  // what was written
  int missing = 0;   // architectures that failed in every pass
};

// Measures the numbered architectures of --space (or a sample) on one device into its table CSV
// (probe/measure_all.h: resumable, failed ones retried in passes, missing ones named).
MeasureAllResult MeasureAll(const MeasureAllArgs& args, const std::string& spec, CliContext& ctx) {
  const CandidateSet& numbering = ctx.Numbering();
  std::unique_ptr<Device> device = ctx.OpenDevice(spec);
  MeasureAllRequest request;
  request.device_spec = spec;
  request.sample = args.sample;
  request.seed = args.seed;
  request.out = args.out;
  request.out_dir = args.out_dir;
  request.run_id = args.run_id;
  request.rounds = args.rounds;
  const MeasureAllJob job = MakeMeasureAllJob(*device, numbering, request);
  const MeasureAllOutcome outcome = MeasureAllToCsv(*device, numbering, job, ctx.Store());
  const std::string noun = std::string(numbering.space().arch_noun()) + "s";
  MeasureAllResult result;
  result.missing = static_cast<int>(outcome.missing.size());
  const std::string missing = outcome.missing.empty() ? ""
                              : fmt::format("; {} {} missing, listed in the file", outcome.missing.size(), noun);
  if (job.rounds > 1) {
    result.line = fmt::format("wrote {} ({} {}, the median of {} rounds: {} measurements taken now, the others "
                              "replayed from {}{})",
                              job.out.string(), outcome.written, noun, job.rounds, outcome.measured_now,
                              ctx.Store().path().string(), missing);
  } else {
    result.line = fmt::format("wrote {} ({} {}, {} measured now, {} replayed from {}{})", job.out.string(),
                              outcome.written, noun, outcome.measured_now, outcome.written - outcome.measured_now,
                              ctx.Store().path().string(), missing);
  }
  return result;
}

}  // namespace

void AddMeasureCommands(CLI::App& app, CliContext& ctx) {
  {
    auto* cmd = app.add_subcommand("measure", "Measure the latency of one architecture on a device");
    struct Args {
      std::string device;
      ArchArgs arch;
      std::string run_id;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("--device", args->device, std::string("Device spec: ") + kDeviceKindsHelp)->required();
    AddArchOptions(cmd, args->arch);
    cmd->add_option("--run-id", args->run_id, "Run id recorded in the probe store (default: a new one)");
    cmd->add_flag("--json", args->json, "Print JSON");
    cmd->callback([args, &ctx] {
      RequireArch(args->arch, "measure");
      // The same path for every space: the architecture handle through a probe session.
      const CandidateSet& space = ctx.Numbering();
      const Arch arch = ctx.ResolveArch(args->arch, "measure");
      std::unique_ptr<Device> device = ctx.OpenDevice(args->device);
      const std::string run_id = args->run_id.empty() ? NewRunId() : args->run_id;
      ProbeSession session(*device, space, 1, device->IsLive() ? &ctx.Store() : nullptr, run_id);
      const auto started = std::chrono::steady_clock::now();
      const ProbeRecord& r = session.Probe(arch);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (args->json) {
        nlohmann::json j = {{"device", device->Spec()},
                            {"arch", arch.ToString()},
                            {"index", r.index >= 0 ? nlohmann::json(space.NumberOf(r.index)) : nlohmann::json()},
                            {"space", std::string(arch.space_name())},
                            {"latency_ms", r.measurement.latency_ms},
                            {"spread", r.measurement.spread},
                            {"repeats", r.measurement.repeats},
                            {"interval_ms", r.measurement.has_interval()
                                                ? nlohmann::json::array({r.measurement.ci_low_ms, r.measurement.ci_high_ms})
                                                : nlohmann::json()},
                            {"samples", r.measurement.samples},
                            {"passes", r.measurement.passes},
                            {"replayed", r.replayed},
                            {"seconds", seconds},
                            {"address_layout", AddressLayoutIsFixed() ? "fixed" : "random"},
                            {"run_id", run_id}};
        PrintJson(j);
        return;
      }
      const Measurement& m = r.measurement;
      const std::string how =
          m.has_interval() ? fmt::format("95% interval {:.4f}-{:.4f} ms (+-{:.1f}%), {} samples x {} passes",
                                         m.ci_low_ms, m.ci_high_ms, 100 * m.RelativeHalfWidth(), m.samples, m.passes)
                           : fmt::format("spread {:.1f}%, {} repeats", 100 * m.spread, m.repeats);
      fmt::print("{:.4f} ms  ({}){} {} on {}\n", m.latency_ms, how, r.replayed ? " replayed" : "", arch.ToString(),
                 device->Spec());
    });
  }
  {
    auto* cmd = app.add_subcommand("measure-all", "Measure all (or a random sample of) the numbered architectures of "
                                                  "--space on a device into a table CSV; resumable. Several --device: "
                                                  "a device farm (under mpirun, one device per rank at a time)");
    auto args = std::make_shared<MeasureAllArgs>();
    cmd->add_option("--device", args->devices,
                    std::string("Device spec (") + kDeviceKindsHelp + "); repeat for several devices")
        ->required();
    cmd->add_option("--sample", args->sample, "Measure K random architectures of --space's numbering instead of all")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", args->seed, "Seed of the sample");
    cmd->add_option("--out", args->out, "CSV to write (default: measured-<device>.csv; one device only)");
    auto* out_dir = cmd->add_option("--out-dir", args->out_dir, "Folder for measured-<device>.csv (default: .)");
    out_dir->excludes("--out");
    cmd->add_option("--run-id", args->run_id, "Run id (default: derived from device, sample and seed, so that the "
                                              "same command resumes)");
    cmd->add_option("--rounds", args->rounds,
                    "Measure the sample this many times, each round a pass over all of it in another order; the CSV "
                    "holds each architecture's median (steadier ranks on a live device whose speed wanders)")
        ->check(CLI::Range(1, 99))
        ->default_val(1);
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
        throw Error(fmt::format("measure-all: {} {} left unmeasured after {} passes (named in the output file's "
                                "'# missing' comments); run the same command again to retry them",
                                missing, std::string(ctx.space().arch_noun()) + "s", kMeasurePasses));
      }
    });
  }
}

}  // namespace simnas::cli
