// The network of a NAS-Bench-201 cell as a runtime-free description: the TinyNetwork
// (tiny_network.h) with LibTorch's default initialization drawn from options.seed, batch norms
// in inference form, described layer by layer (DescribeNetwork). What `export`, the `opencv`
// and `local` devices and `cmd:` devices' {onnx} run.
#pragma once

#include <cstdint>

#include "simnas/network/network_description.h"
#include "simnas/space/space.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

// Classes and input size: options' when set, else the dataset's. random_batch_norms is not
// supported (ParseError). Opens the torch plugin (core/plugin.h).
NetworkDescription DescribeCell(const Cell& cell, const NetworkOptions& options);

}  // namespace simnas

// The torch plugin's side of DescribeCell (nb201_network_torch.cpp).
extern "C" simnas::NetworkDescription simnas_torch_describe_cell(const simnas::Cell& cell, int num_classes,
                                                                 int input_size, std::uint64_t seed);
