// simnas data fetch|verify: fill and check the benchmark data folder.
#include <cstdlib>

#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/data/fetch.h"
#include "simnas/space/data_manifest.h"

namespace simnas::cli {

void AddDataCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("data", "Fetch or verify the benchmark data");
  cmd->require_subcommand(1);

  auto* fetch = cmd->add_subcommand("fetch", "Copy the data from a mirror ($SIMNAS_DATA_MIRROR) or download it");
  auto mirror = std::make_shared<std::optional<std::string>>();
  auto force = std::make_shared<bool>(false);
  fetch->add_option("--mirror", *mirror, "Folder with the published files (default: $SIMNAS_DATA_MIRROR)");
  fetch->add_flag("--force", *force, "Fetch again even when files are present and valid");
  fetch->callback([&ctx, mirror, force] {
    FetchOptions options;
    options.force = *force;
    if (*mirror) {
      options.mirror = std::filesystem::path(**mirror);
    } else if (const char* env = std::getenv("SIMNAS_DATA_MIRROR"); env != nullptr && *env != '\0') {
      options.mirror = std::filesystem::path(env);
    }
    FetchData(DataDir(ctx.Env().data_dir), DataManifest(), options);
  });

  auto* verify = cmd->add_subcommand("verify", "Check every data file: present, published content, valid");
  auto json = std::make_shared<bool>(false);
  verify->add_flag("--json", *json, "Print JSON");
  verify->callback([&ctx, json] {
    const DataDir dir(ctx.Env().data_dir);
    const std::vector<VerifyEntry> entries = VerifyData(dir, DataManifest());
    int bad = 0;
    nlohmann::json out = nlohmann::json::array();
    for (const VerifyEntry& e : entries) {
      bad += e.problem.empty() ? 0 : 1;
      out.push_back({{"path", e.path}, {"present", e.present}, {"published", e.hash_matches}, {"problem", e.problem}});
      if (!*json) {
        fmt::print("{:<4} {}{}\n", e.problem.empty() ? "ok" : "BAD", e.path,
                   e.problem.empty() ? (e.hash_matches ? "" : "  (valid, not byte-identical to the mirror)")
                                     : "  " + e.problem);
      }
    }
    if (*json) PrintJson({{"data", dir.root().string()}, {"files", out}, {"ok", bad == 0}});
    if (bad > 0) {
      throw DataError(fmt::format("{} of {} data files in {} have problems (first: {})", bad, entries.size(),
                                  dir.root().string(), [&] {
                                    for (const auto& e : entries) {
                                      if (!e.problem.empty()) return e.path + ": " + e.problem;
                                    }
                                    return std::string();
                                  }()));
    }
  });
}

}  // namespace simnas::cli
