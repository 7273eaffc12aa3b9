// simnas arch: convert between architecture string, NATS-Bench index and op list.
#include <random>

#include <fmt/format.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"

namespace simnas::cli {

void AddArchCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("arch", "Show an architecture: string, NATS-Bench index and operations");
  struct Args {
    CellArgs cell;
    bool random = false;
    std::uint64_t seed = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  AddCellOptions(cmd, args->cell, "Architecture string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|",
                 "NATS-Bench index (0-15624)");
  auto* random_opt = cmd->add_flag("--random", args->random, "A random architecture (with --seed)");
  AddSeedOption(cmd, args->seed, "Seed for --random")->needs(random_opt);
  args->cell.index_option->excludes(random_opt);
  args->cell.arch_option->excludes(random_opt);
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    const SearchSpace& space = ctx.Data().space();
    Cell cell;
    if (args->cell.given()) {
      cell = ResolveCell(args->cell, space, "arch");
    } else if (args->random) {
      std::mt19937_64 rng(args->seed);
      cell = RandomCell(rng);
    } else {
      throw ParseError("simnas arch needs one of --index N, --arch STR or --random [--seed S]");
    }
    const int index = space.IndexOf(cell);
    nlohmann::json ops = nlohmann::json::array();
    for (int e = 0; e < kNumEdges; ++e) {
      const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
      ops.push_back({{"edge", fmt::format("{}<-{}", ends.to, ends.from)}, {"op", std::string(OpName(cell.op(e)))}});
    }
    if (args->json) {
      PrintJson({{"arch", cell.ToString()}, {"index", index}, {"ops", ops}});
      return;
    }
    fmt::print("arch  {}\nindex {}\n", cell.ToString(), index);
    for (const auto& o : ops) fmt::print("  {}  {}\n", o["edge"].get<std::string>(), o["op"].get<std::string>());
  });
}

}  // namespace simnas::cli
