// simnas: few-probe hardware-aware NAS. One binary, one subcommand per task.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"

namespace {

std::string FirstLine(const char* what) {
  std::string s = what;
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(spdlog::stderr_color_mt("simnas"));
  simnas::InstallInterruptHandler();

  CLI::App app{"simnas: hardware-aware neural architecture search on unseen devices with a few real latency probes"};
  app.set_version_flag("--version", std::string("simnas ") + SIMNAS_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  simnas::cli::CliContext ctx;
  app.add_option("--data", ctx.data_flag, "Benchmark data folder (default: $SIMNAS_DATA, else <repo>/data)");
  app.add_option("--registry", ctx.registry_flag,
                 "Device registry JSON (default: $SIMNAS_DEVICES, else ~/.config/simnas/devices.json)");
  app.add_option("--store", ctx.store_flag,
                 "Probe store SQLite file (default: $SIMNAS_STORE, else ~/.local/share/simnas/probes.sqlite)");
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "simnas: error: %s (see --help)\n", FirstLine(e.what()).c_str());
    return 2;
  } catch (const simnas::Interrupted& e) {
    std::fprintf(stderr, "simnas: %s\n", FirstLine(e.what()).c_str());
    return 130;
  } catch (const simnas::Error& e) {
    std::fprintf(stderr, "simnas: error: %s\n", FirstLine(e.what()).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simnas: internal error: %s\n", FirstLine(e.what()).c_str());
    return 1;
  }
  return 0;
}
