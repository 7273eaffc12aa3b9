// simnas arch: convert between architecture string, NATS-Bench index and op list.
#include <random>

#include <fmt/format.h>

#include "cli_context.h"
#include "simnas/core/error.h"

namespace simnas::cli {

void AddArchCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("arch", "Show an architecture: string, NATS-Bench index and operations");
  struct Args {
    std::optional<int> index;
    std::optional<std::string> arch;
    bool random = false;
    std::uint64_t seed = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* index_opt = cmd->add_option("--index", args->index, "NATS-Bench index (0-15624)");
  auto* arch_opt = cmd->add_option("--arch", args->arch, "Architecture string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|");
  auto* random_opt = cmd->add_flag("--random", args->random, "A random architecture (with --seed)");
  cmd->add_option("--seed", args->seed, "Seed for --random")->needs(random_opt);
  index_opt->excludes(arch_opt)->excludes(random_opt);
  arch_opt->excludes(random_opt);
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    const SearchSpace& space = ctx.Data().space();
    Cell cell;
    if (args->index) {
      cell = space.CellAt(*args->index);
    } else if (args->arch) {
      cell = Cell::Parse(*args->arch);
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
