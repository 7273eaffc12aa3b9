// simnas: few-probe hardware-aware NAS. One binary, one subcommand per task.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "simnas/core/address_layout.h"
#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/latency_value.h"
#include "simnas/core/shipped_files.h"
#include "simnas/core/strings.h"
#include "simnas/data/fetch.h"
#include "simnas/space/data_manifest.h"
#include "simnas/parallel/cluster.h"

namespace {

std::string FirstLine(const char* what) {
  std::string s = what;
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// With several ranks (mpirun), an error names the rank that hit it.
std::string Who(const simnas::Cluster* cluster) {
  return cluster != nullptr && cluster->size() > 1 ? cluster->Describe() + ": " : "";
}

// Checks every subcommand's --seed, --budget-ms, --out and number options get, wherever they
// are declared: a seed is a non-negative integer (CLI11 would wrap -1 to 2^64-1); a budget a
// latency (core/latency_value.h: plain decimal, within the plausible range; CLI::PositiveNumber
// lets "nan" and "inf" through); every other number a finite one in plain decimal (no "nan",
// "inf", "0x10"), checked after the option's own range; an --out names something (not '').
void AddValueChecks(CLI::App& app) {
  static const CLI::Validator kSeed(
      [](std::string& value) -> std::string {
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
          return "must be a non-negative integer, got '" + value + "'";
        }
        return "";
      },
      "");  // the option's type already reads UINT
  static const CLI::Validator kLatency(
      [](std::string& value) -> std::string {
        if (simnas::ParseLatencyMs(value)) return "";
        return fmt::format("must be a finite positive number of ms in [{:g}, {:g}], in plain decimal, got '{}'",
                           simnas::kMinLatencyMs, simnas::kMaxLatencyMs, value);
      },
      "POSITIVE");
  static const CLI::Validator kFinite(
      [](std::string& value) -> std::string {
        if (simnas::ParsePlainDecimal(value)) return "";
        return "must be a finite number in plain decimal, got '" + value + "'";
      },
      "");
  static const CLI::Validator kPath(
      [](std::string& value) -> std::string { return value.empty() ? "must name a file or folder, got ''" : ""; },
      "");
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (CLI::Option* seed = sub->get_option_no_throw("--seed")) seed->check(kSeed);
    if (CLI::Option* out = sub->get_option_no_throw("--out")) out->check(kPath);
    for (CLI::Option* option : sub->get_options()) {
      if (option->get_name() == "--budget-ms") option->check(kLatency);
      else if (option->get_type_name() == "FLOAT") option->check(kFinite);
    }
    AddValueChecks(*sub);
  }
}

// Every --out given on the command line (of the parsed subcommands) may be written even among
// the shipped files (core/shipped_files.h).
void AllowExplicitOutputs(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (const CLI::Option* out = sub->get_option_no_throw("--out"); out != nullptr && out->count() > 0) {
      for (const std::string& value : out->results()) simnas::AllowExplicitOutput(value);
    }
    AllowExplicitOutputs(*sub);
  }
}

int Run(int argc, char** argv, simnas::Cluster* cluster);

// What the MPI launcher (mpirun of Open MPI or MPICH/Hydra, srun with PMI/PMIx) tells its processes.
simnas::Launch LaunchFromEnvironment() {
  simnas::Launch launch;
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(var) != nullptr) launch.by_mpi = true;
  }
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* n = std::getenv(var); n != nullptr && launch.ranks == 0) launch.ranks = std::atoi(n);
  }
  return launch;
}

}  // namespace

int main(int argc, char** argv) {
  // Every process times networks at the same addresses (core/address_layout.h), unless
  // SIMNAS_ASLR=keep; first, before anything is opened.
  if (const char* aslr = std::getenv("SIMNAS_ASLR"); aslr == nullptr || std::string_view(aslr) != "keep") {
    simnas::RunWithFixedAddressLayout(argv);
  }
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(spdlog::stderr_color_mt("simnas"));
  simnas::InstallInterruptHandler();
  // Past a file size limit a write fails with EFBIG and is reported (target intact, temp
  // removed) instead of the process dying silently with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  // No argument may carry a control character: a newline in a path would become a
  // command of the gnuplot script that draws into it (and no flag needs one).
  for (int i = 1; i < argc; ++i) {
    for (const char* c = argv[i]; *c != '\0'; ++c) {
      const auto u = static_cast<unsigned char>(*c);
      if (u < 0x20 || u == 0x7f) {
        std::fprintf(stderr, "simnas: error: argument %d %s contains a control character (0x%02x); refused\n", i,
                     simnas::Quoted(argv[i]).c_str(), u);
        return 2;
      }
    }
  }
  std::unique_ptr<simnas::Cluster> cluster;
  try {
    cluster = simnas::OpenCluster(&argc, &argv, LaunchFromEnvironment());
    // Every rank runs the same version with the same command line, or none runs.
    std::string command_line;
    for (int i = 1; i < argc; ++i) command_line += std::string(i > 1 ? " " : "") + argv[i];
    cluster->RequireSame("the simnas version", std::string("simnas ") + SIMNAS_VERSION);
    cluster->RequireSame("the command line", command_line);
  } catch (const simnas::JobError& e) {
    if (cluster->leader()) std::fprintf(stderr, "simnas: error: %s\n", FirstLine(e.what()).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simnas: error: %s%s\n", Who(cluster.get()).c_str(), FirstLine(e.what()).c_str());
    if (cluster) cluster->Abort(1);
    return 1;
  }
  const int code = Run(argc, argv, cluster.get());
  // A rank that failed alone ends the job (the others may wait for it); an error every rank
  // agrees on (JobError, bad flags) ends every rank the ordinary way.
  if (code < 0) {
    cluster->Abort(-code);
    return -code;
  }
  return code;
}

namespace {

int Run(int argc, char** argv, simnas::Cluster* cluster) {
  const bool leader = cluster->leader();

  CLI::App app{"simnas: hardware-aware neural architecture search on unseen devices with a few real latency probes"};
  app.set_version_flag("--version", std::string("simnas ") + SIMNAS_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  simnas::cli::CliContext ctx;
  ctx.cluster = cluster;
  // Under mpirun only the jobs that spread over ranks run; another command would run once per
  // rank, each writing the same files. Checked before any command starts.
  app.parse_complete_callback([&app, &ctx, cluster] {
    // The shipped files are read-only to every command; a file the user names with --out may
    // be written wherever it is.
    simnas::ProtectShippedFolders(ctx.Env().ShippedFolders());
    AllowExplicitOutputs(app);
    if (cluster->size() == 1) return;
    for (const CLI::App* sub : app.get_subcommands()) {
      const std::string name = sub->get_name();
      if (name == "bench" || name == "measure-all" || (name == "proxies" && sub->count("--all") > 0)) continue;
      throw simnas::JobError("simnas " + name + " runs in one process; under mpirun only proxies --all, bench and " +
                             "measure-all spread over ranks (run it without mpirun or with -np 1)");
    }
  });
  app.add_option("--data", ctx.flags.data,
                 "Benchmark data folder (default: $SIMNAS_DATA, else ~/.local/share/simnas/data)");
  app.add_option("--registry", ctx.flags.registry,
                 "Device registry JSON (default: $SIMNAS_DEVICES, else ~/.config/simnas/devices.json)");
  app.add_option("--store", ctx.flags.store,
                 "Probe store SQLite file (default: $SIMNAS_STORE, else ~/.local/share/simnas/probes.sqlite)");
  app.add_option("--share", ctx.flags.share,
                 "Folder of the shipped proxy tables, models and configs (default: $SIMNAS_SHARE, else "
                 "share/simnas beside or above the binary)");
  app.add_option("--cache", ctx.flags.cache, "Cache folder (default: $SIMNAS_CACHE, else ~/.cache/simnas)");
  std::string space_help = "Search space:";
  for (const simnas::Space* s : simnas::Spaces()) {
    space_help += fmt::format(" {} ({}{}),", s->name(), s->title(), s->name() == simnas::kDefaultSpaceName ? ", default" : "");
  }
  space_help.pop_back();
  app.add_option("--space", ctx.flags.space, space_help)
      ->check([](const std::string& name) -> std::string {
        try {
          simnas::FindSpace(name);
        } catch (const simnas::ParseError& e) {
          return e.what();
        }
        return "";
      });
  app.add_flag_callback("-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); }, "Debug logging")
      ->trigger_on_parse();

  simnas::cli::AddArchCommand(app, ctx);
  simnas::cli::AddMeasureCommands(app, ctx);
  simnas::cli::AddDevicesCommand(app, ctx);
  simnas::cli::AddDataCommand(app, ctx);
  simnas::cli::AddProxiesCommand(app, ctx);
  simnas::cli::AddSearchCommand(app, ctx);
  simnas::cli::AddSynthCommand(app, ctx);
  simnas::cli::AddTrainCommand(app, ctx);
  simnas::cli::AddBenchCommand(app, ctx);
  simnas::cli::AddMonotonicityCommand(app, ctx);
  simnas::cli::AddExportCommand(app, ctx);
  AddValueChecks(app);

  // Every rank has the same command line (checked in main): flag errors and help are the
  // same on every rank, and rank 0 alone prints them.
  const bool alone = cluster->size() == 1;
  const std::string who = Who(cluster);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return leader ? app.exit(e) : 0;
  } catch (const CLI::ParseError& e) {
    if (leader) std::fprintf(stderr, "simnas: error: %s (see --help)\n", FirstLine(e.what()).c_str());
    return 2;
  } catch (const simnas::JobError& e) {
    if (leader) std::fprintf(stderr, "simnas: error: %s\n", FirstLine(e.what()).c_str());
    return 1;
  } catch (const simnas::Interrupted& e) {
    // In a job, the signal usually comes from mpirun, which stops every rank when one rank ended
    // (failed or was killed): say so, the user did not necessarily interrupt anything.
    const std::string cause =
        !alone && simnas::InterruptSignal() == SIGTERM
            ? " (stopped by SIGTERM: mpirun sends it to every rank when one rank ended early, failed or was killed, "
              "or when mpirun itself was stopped; mpirun's message names the rank)"
            : "";
    std::fprintf(stderr, "simnas: %s%s%s\n", who.c_str(), FirstLine(e.what()).c_str(), cause.c_str());
    return alone ? 130 : -130;
  } catch (const simnas::DataError& e) {
    // A file of the data folder that is missing or damaged: say how to fetch it again.
    std::string message = FirstLine(e.what());
    try {
      message = simnas::WithDataFetchHint(simnas::DataDir(ctx.Env().data_dir), simnas::DataManifest(), message);
    } catch (const std::exception&) {
      // No environment to name the data folder: the message as it is.
    }
    std::fprintf(stderr, "simnas: error: %s%s\n", who.c_str(), message.c_str());
    return alone ? 1 : -1;
  } catch (const simnas::Error& e) {
    std::fprintf(stderr, "simnas: error: %s%s\n", who.c_str(), FirstLine(e.what()).c_str());
    return alone ? 1 : -1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simnas: internal error: %s%s\n", who.c_str(), FirstLine(e.what()).c_str());
    return alone ? 1 : -1;
  }
  return 0;
}

}  // namespace
