// The network of a NAS-Bench-201 cell as a runtime-free description (the space's Describe): the
// TinyNetwork (tiny_network.h) with LibTorch's default initialization drawn from `seed`, batch
// norms in inference form, described layer by layer (DescribeNetwork). What `export`, the
// `opencv` and `local` devices and `cmd:` devices' {onnx} run.
#pragma once

#include <cstdint>

#include "simnas/network/network_description.h"
#include "simnas/spaces/nb201/cell.h"

// In the torch plugin (nb201_network_torch.cpp).
extern "C" simnas::NetworkDescription simnas_torch_describe_cell(const simnas::Cell& cell, int num_classes,
                                                                 int input_size, std::uint64_t seed);
