// simnas: few-probe hardware-aware NAS. One binary, one subcommand per task.
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/strings.h"

namespace {

std::string FirstLine(const char* what) {
  std::string s = what;
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// Checks every subcommand's --seed and --budget-ms get, wherever they are declared: a
// seed is a non-negative integer (CLI11 would wrap -1 to 2^64-1), a budget a finite
// positive number (CLI::PositiveNumber lets "nan" through).
void AddValueChecks(CLI::App& app) {
  static const CLI::Validator kSeed(
      [](std::string& value) -> std::string {
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
          return "must be a non-negative integer, got '" + value + "'";
        }
        return "";
      },
      "UINT");
  static const CLI::Validator kFinitePositive(
      [](std::string& value) -> std::string {
        const std::optional<double> v = simnas::ParseDouble(value);
        if (!v || !(*v > 0)) return "must be a finite positive number, got '" + value + "'";
        return "";
      },
      "POSITIVE");
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (CLI::Option* seed = sub->get_option_no_throw("--seed")) seed->check(kSeed);
    if (CLI::Option* budget = sub->get_option_no_throw("--budget-ms")) budget->check(kFinitePositive);
    AddValueChecks(*sub);
  }
}

}  // namespace

int main(int argc, char** argv) {
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
  AddValueChecks(app);

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
