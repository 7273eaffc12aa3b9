// simnas export: the NAS-Bench-201 network of one cell as an ONNX file, for any runtime.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_context.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/network/cell_export.h"

namespace simnas::cli {

void AddExportCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("export", "Write the network of one architecture as an ONNX file (inference graph, "
                                           "with its weights)");
  struct Args {
    std::optional<std::string> arch;
    std::optional<int> index;
    std::string dataset = "cifar10";
    int batch = 1;
    std::optional<int> input_size;
    std::uint64_t seed = 0;
    std::string out;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* arch_opt = cmd->add_option("--arch", args->arch, "Architecture string");
  auto* index_opt = cmd->add_option("--index", args->index, "NATS-Bench index");
  arch_opt->excludes(index_opt);
  cmd->add_option("--dataset", args->dataset, "Classifier head: cifar10, cifar100 or ImageNet16-120 (default cifar10)");
  cmd->add_option("--batch", args->batch, "Batch size of the graph's input (default 1)");
  cmd->add_option("--input-size", args->input_size, "Pixels per side (default: the dataset's, 32 or 16)");
  cmd->add_option("--seed", args->seed, "Seed of the weights (default 0)");
  cmd->add_option("--out", args->out, "ONNX file to write")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    if (!args->arch && !args->index) throw ParseError("simnas export needs --arch STR or --index N");
    const Cell cell = args->arch ? Cell::Parse(*args->arch) : ctx.Data().space().CellAt(*args->index);
    const Dataset dataset = ParseDataset(args->dataset);
    CellExportOptions options;
    options.num_classes = NumClasses(dataset);
    options.input_size = args->input_size.value_or(InputSize(dataset));
    options.batch = args->batch;
    options.seed = args->seed;
    const OnnxModelInfo info = ExportCellOnnx(cell, options, args->out);
    if (args->json) {
      PrintJson({{"path", args->out},
                 {"arch", cell.ToString()},
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
