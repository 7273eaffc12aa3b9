#include "simnas/spaces/nb201/nb201_network.h"

#include "simnas/core/error.h"
#include "simnas/core/plugin.h"

namespace simnas {

NetworkDescription DescribeCell(const Cell& cell, const NetworkOptions& options) {
  if (options.random_batch_norms) throw ParseError("nb201 networks are described with batch norms at identity only");
  const int classes = options.num_classes > 0 ? options.num_classes : NumClasses(options.dataset);
  const int input = options.input_size > 0 ? options.input_size : InputSize(options.dataset);
  return SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_describe_cell)(cell, classes, input, options.seed);
}

}  // namespace simnas
