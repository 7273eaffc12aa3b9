// The LibTorch side of cell_export.h, in the torch plugin.
#include <torch/torch.h>

#include "simnas/network/cell_export.h"
#include "simnas/network/tiny_network.h"

std::string simnas_torch_serialize_cell_onnx(const simnas::Cell& cell, const simnas::CellExportOptions& options,
                                             simnas::OnnxModelInfo* info) {
  using namespace simnas;
  torch::NoGradGuard no_grad;
  torch::manual_seed(options.seed);
  NetworkOptions net_options;
  net_options.num_classes = options.num_classes;
  TinyNetwork net(cell, net_options);
  net->eval();
  return SerializeOnnx(DescribeNetwork(*net, options.input_size), options.batch, info, cell.ToString());
}
