// One NAS-Bench-201 cell as an ONNX file: the TinyNetwork of the cell (weights drawn from a
// seed, LibTorch's default initialization), described (tiny_network.h) and exported
// (onnx_export.h). Used by `simnas export`, the `opencv` device and `cmd:` devices' {onnx}.
// Drawing a cell's weights needs LibTorch (its initialization): SerializeCellOnnx opens the torch
// plugin (core/plugin.h); FBNet networks are described and exported without it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "simnas/network/onnx_export.h"
#include "simnas/search_space/arch.h"
#include "simnas/search_space/cell.h"

namespace simnas {

struct CellExportOptions {
  int num_classes = 10;  // 10 / 100 / 120
  int input_size = 32;   // pixels per side (16 for ImageNet16-120)
  int batch = 1;
  std::uint64_t seed = 0;  // weights
};

// Why the networks of `space` cannot take `input_size` pixels per side, or an empty string:
// NAS-Bench-201's cells need a multiple of 4 in [4, 1024] (two stride-2 reductions whose
// shortcuts must meet), FBNet's networks a size in [8, 1024].
std::string InputSizeProblem(SpaceKind space, int input_size);

// Throws ParseError for options the networks of `space` cannot take (classes in [1, 100000],
// batch in [1, 4096], InputSizeProblem), naming the option.
void ValidateExportOptions(SpaceKind space, const CellExportOptions& options);
// ValidateExportOptions for NAS-Bench-201 cells.
void ValidateCellExportOptions(const CellExportOptions& options);

// The checked model, serialized.
std::string SerializeCellOnnx(const Cell& cell, const CellExportOptions& options, OnnxModelInfo* info = nullptr);
// Writes it atomically to `path`.
OnnxModelInfo ExportCellOnnx(const Cell& cell, const CellExportOptions& options, const std::filesystem::path& path);

// Any architecture's model (search_space/arch.h): a cell as above; an FBNet network as
// network/fbnet_network.h describes it (no LibTorch), with the same classes, input size (at
// least 8), batch and weight seed.
std::string SerializeArchOnnx(const Arch& arch, const CellExportOptions& options, OnnxModelInfo* info = nullptr);
OnnxModelInfo ExportArchOnnx(const Arch& arch, const CellExportOptions& options, const std::filesystem::path& path);

// A file name that differs for every cell and option that changes the model, e.g.
// "nb201-v1-c<code>-k10-s32-b1-w0.onnx" (the cell by its dense code).
std::string CellOnnxFileName(const Cell& cell, const CellExportOptions& options);

// The model of `cell` in `folder` (CellOnnxFileName), exported unless a copy there passes its
// check (core/verified_cache.h: the file's SHA-256 and what it was made for, kept beside it):
// a missing, truncated, edited or swapped file is exported again. A concurrent writer is
// harmless (atomic renames of identical content). Throws Error naming the file that could not
// be written.
std::filesystem::path CachedCellOnnx(const Cell& cell, const CellExportOptions& options,
                                     const std::filesystem::path& folder);
// The same for any architecture (search_space/arch.h): a cell as above; an FBNet network as
// network/fbnet_network.h describes it, with the same classes, input size, batch and weight seed
// ("fbnet-v1-<22 block digits>-k<classes>-s<input>-b<batch>-w<seed>.onnx").
std::string ArchOnnxFileName(const Arch& arch, const CellExportOptions& options);
std::filesystem::path CachedArchOnnx(const Arch& arch, const CellExportOptions& options,
                                     const std::filesystem::path& folder);

// The folder exported models are cached in: <cache_dir>/onnx, or a folder under the system's
// temp folder when there is no cache folder.
std::filesystem::path ExportFolder(const std::filesystem::path& cache_dir);

}  // namespace simnas

// The torch plugin's side of SerializeCellOnnx (cell_export_torch.cpp), options validated.
extern "C" std::string simnas_torch_serialize_cell_onnx(const simnas::Cell& cell,
                                                        const simnas::CellExportOptions& options,
                                                        simnas::OnnxModelInfo* info);
