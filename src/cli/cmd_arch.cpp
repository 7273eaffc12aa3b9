// simnas arch: one architecture of --space: its string, its index in the space's numbering and
// its choice at every position.
#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"

namespace simnas::cli {

void AddArchCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("arch", "Show an architecture of --space: string, index and choice per position");
  struct Args {
    ArchArgs arch;
    bool random = false;
    std::uint64_t seed = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  AddArchOptions(cmd, args->arch);
  auto* random_opt = cmd->add_flag("--random", args->random, "A random architecture (with --seed)");
  cmd->add_option("--seed", args->seed, "Seed for --random")->needs(random_opt);
  args->arch.index_option->excludes(random_opt);
  args->arch.arch_option->excludes(random_opt);
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    const Space& space = ctx.space();
    Arch arch;
    if (args->arch.given()) {
      arch = ctx.ResolveArch(args->arch, "arch");
    } else if (args->random) {
      std::mt19937_64 rng(args->seed);
      arch = space.RandomArch(rng);
    } else {
      throw ParseError("simnas arch needs one of --index N, --arch STR or --random [--seed S]");
    }
    // -1: not in the numbering (a space's numbering may be a sample of it).
    const CandidateSet& numbering = ctx.Numbering();
    const int position = numbering.IndexOf(arch);
    const int index = position < 0 ? -1 : numbering.NumberOf(position);
    nlohmann::json choices = nlohmann::json::array();
    for (int p = 0; p < space.positions(); ++p) {
      choices.push_back({{"position", space.PositionName(p)}, {"choice", space.ChoiceName(p, arch.choice(p))}});
    }
    if (args->json) {
      PrintJson({{"space", std::string(space.name())},
                 {"arch", arch.ToString()},
                 {"index", index < 0 ? nlohmann::json() : nlohmann::json(index)},
                 {"choices", choices}});
      return;
    }
    fmt::print("arch  {}\nindex {}\n", arch.ToString(),
               index < 0 ? fmt::format("none (not among {})", numbering.source()) : std::to_string(index));
    std::size_t width = 0;
    for (const auto& c : choices) width = std::max(width, c["position"].get<std::string>().size());
    for (const auto& c : choices) {
      fmt::print("  {:<{}}  {}\n", c["position"].get<std::string>(), width, c["choice"].get<std::string>());
    }
  });
}

}  // namespace simnas::cli
