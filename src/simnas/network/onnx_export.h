// ONNX export of a NetworkDescription (network_description.h), written with Debian's ONNX
// library: a ModelProto checked with onnx::checker and ONNX shape inference before it is
// written (atomically). The graph means the same in every runtime:
//   - batch norm in inference form (BatchNormalization with the running statistics);
//   - every Conv carries kernel_shape (OpenCV's importer needs it);
//   - an average pool that does not count padding is written as an include-padding
//     AveragePool times a constant map of (window size / in-bounds count): runtimes such as
//     OpenCV DNN 4.6 ignore count_include_pad=0;
//   - `zero` is the input times 0;
//   - a channel shuffle is Reshape -> Transpose -> Reshape;
//   - hard_sigmoid is HardSigmoid(alpha 1/6, beta 1/2); hard_swish (no HardSwish before opset 14)
//     is x times that; channel_mul is a broadcasting Mul, the C x 1 x 1 gate as its first operand
//     (OpenCV DNN 4.6 broadcasts wrongly with the gate second after a HardSigmoid).
// Node names are the layer names (e.g. "cell3/edge_2_1/nor_conv_3x3/conv").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "simnas/network/network_description.h"

namespace simnas {

inline constexpr int kOnnxOpset = 13;

struct OnnxModelInfo {
  int opset = kOnnxOpset;
  std::string input_name;
  std::vector<std::int64_t> input_shape;
  std::string output_name;
  std::vector<std::int64_t> output_shape;
  std::int64_t parameters = 0;
  std::int64_t multiply_adds = 0;  // per batch
  int nodes = 0;
  std::int64_t bytes = 0;
};

// The serialized, checked model for a batch of `batch` images. Throws Error when the checker
// or shape inference refuses the graph (naming what it said).
std::string SerializeOnnx(const NetworkDescription& network, int batch, OnnxModelInfo* info = nullptr,
                          const std::string& graph_name = "simnas");

}  // namespace simnas
