// simnas export: the network of one architecture of --space as an ONNX file, for any runtime.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/space/arch_export.h"
#include "simnas/space/space.h"

namespace simnas::cli {

void AddExportCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("export", "Write the network of one architecture as an ONNX file (inference graph, "
                                           "with its weights)");
  struct Args {
    ArchArgs arch;
    std::optional<std::string> dataset;
    int batch = 1;
    std::optional<int> input_size;
    std::uint64_t seed = 0;
    std::string out;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  AddArchOptions(cmd, args->arch, "Architecture string", "Index in the space's numbering (e.g. NATS-Bench index)");
  cmd->add_option("--dataset", args->dataset, "Classifier head: a dataset of the space (default: its first, e.g. cifar10)");
  cmd->add_option("--batch", args->batch, "Batch size of the graph's input (default 1)");
  cmd->add_option("--input-size", args->input_size, "Pixels per side (default: the architecture's or the dataset's, e.g. 32 or 16)");
  cmd->add_option("--seed", args->seed, "Seed of the weights (default 0)");
  cmd->add_option("--out", args->out, "ONNX file to write")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    RequireArch(args->arch, "export");
    const Space& space = ctx.space();
    // Bad flags (exit 2), checked before anything is read or built.
    if (args->input_size) {
      if (const std::string problem = space.InputSizeProblem(*args->input_size); !problem.empty()) {
        throw CLI::ValidationError(fmt::format("--input-size {}: {}", *args->input_size, problem));
      }
    }
    if (args->batch < 1 || args->batch > 4096) {
      throw CLI::ValidationError(fmt::format("--batch {}: must be in [1, 4096]", args->batch));
    }
    const Arch arch = ctx.ResolveArch(args->arch, "export");
    const Dataset dataset = args->dataset ? ParseDataset(*args->dataset) : space.Datasets().front();
    ExportOptions options;
    options.num_classes = NumClasses(dataset);
    options.input_size = args->input_size.value_or(space.InputSize(arch, dataset));
    options.batch = args->batch;
    options.seed = args->seed;
    const OnnxModelInfo info = ExportArchOnnx(arch, options, args->out);
    const std::string arch_string = arch.ToString();
    if (args->json) {
      PrintJson({{"path", args->out},
                 {"space", std::string(std::string(ctx.space().name()))},
                 {"arch", arch_string},
                 {"dataset", std::string(DatasetName(dataset))},
                 {"opset", info.opset},
                 {"inputs", {{{"name", info.input_name}, {"shape", info.input_shape}}}},
                 {"outputs", {{{"name", info.output_name}, {"shape", info.output_shape}}}},
                 {"parameters", info.parameters},
                 {"multiply_adds", info.multiply_adds},
                 {"flops", 2 * info.multiply_adds},
                 {"nodes", info.nodes},
                 {"bytes", info.bytes}});
      return;
    }
    fmt::print("wrote {} ({} bytes, opset {}, {} nodes)\n  input  {} [{}]\n  output {} [{}]\n  {} parameters, "
               "{:.2f} M multiply-adds per batch\n",
               args->out, info.bytes, info.opset, info.nodes, info.input_name, fmt::join(info.input_shape, ", "),
               info.output_name, fmt::join(info.output_shape, ", "), info.parameters, info.multiply_adds / 1e6);
  });
}

}  // namespace simnas::cli
