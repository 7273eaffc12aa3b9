#include "simnas/network/cell_export.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/plugin.h"
#include "simnas/network/fbnet_network.h"

namespace simnas {

void ValidateCellExportOptions(const CellExportOptions& o) {
  if (o.num_classes < 1 || o.num_classes > 100000) {
    throw ParseError(fmt::format("export: classes {} must be in [1, 100000]", o.num_classes));
  }
  // Two stride-2 reductions: at least 4 pixels per side reach the last stage.
  if (o.input_size < 4 || o.input_size > 1024) {
    throw ParseError(fmt::format("export: input size {} must be in [4, 1024]", o.input_size));
  }
  if (o.batch < 1 || o.batch > 4096) throw ParseError(fmt::format("export: batch {} must be in [1, 4096]", o.batch));
}

std::string SerializeCellOnnx(const Cell& cell, const CellExportOptions& options, OnnxModelInfo* info) {
  ValidateCellExportOptions(options);
  return SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_serialize_cell_onnx)(cell, options, info);
}

OnnxModelInfo ExportCellOnnx(const Cell& cell, const CellExportOptions& options, const std::filesystem::path& path) {
  OnnxModelInfo info;
  const std::string bytes = SerializeCellOnnx(cell, options, &info);
  WriteFileAtomically(path, bytes);
  return info;
}

std::string CellOnnxFileName(const Cell& cell, const CellExportOptions& o) {
  return fmt::format("nb201-v1-c{}-k{}-s{}-b{}-w{}.onnx", cell.Code(), o.num_classes, o.input_size, o.batch, o.seed);
}

std::filesystem::path CachedCellOnnx(const Cell& cell, const CellExportOptions& options,
                                     const std::filesystem::path& folder) {
  const std::filesystem::path path = folder / CellOnnxFileName(cell, options);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) == 0) {
    ExportCellOnnx(cell, options, path);
  }
  return path;
}

std::string ArchOnnxFileName(const Arch& arch, const CellExportOptions& o) {
  if (arch.is_cell()) return CellOnnxFileName(arch.cell(), o);
  std::string blocks;
  for (const int b : arch.fbnet().Indices()) blocks += static_cast<char>('0' + b);
  return fmt::format("fbnet-v1-{}-k{}-s{}-b{}-w{}.onnx", blocks, o.num_classes, o.input_size, o.batch, o.seed);
}

namespace {

NetworkDescription FbnetDescription(const FbnetArch& arch, const CellExportOptions& options) {
  if (options.input_size < 8 || options.input_size > 1024) {
    throw ParseError(fmt::format("export: input size {} must be in [8, 1024]", options.input_size));
  }
  ValidateCellExportOptions(options);
  FbnetNetworkOptions net;
  net.num_classes = options.num_classes;
  net.input_size = options.input_size;
  net.seed = options.seed;
  return DescribeFbnet(arch, net);
}

}  // namespace

std::string SerializeArchOnnx(const Arch& arch, const CellExportOptions& options, OnnxModelInfo* info) {
  if (arch.is_cell()) return SerializeCellOnnx(arch.cell(), options, info);
  return SerializeOnnx(FbnetDescription(arch.fbnet(), options), options.batch, info, "simnas_fbnet");
}

OnnxModelInfo ExportArchOnnx(const Arch& arch, const CellExportOptions& options, const std::filesystem::path& path) {
  OnnxModelInfo info;
  const std::string bytes = SerializeArchOnnx(arch, options, &info);
  WriteFileAtomically(path, bytes);
  return info;
}

std::filesystem::path CachedArchOnnx(const Arch& arch, const CellExportOptions& options,
                                     const std::filesystem::path& folder) {
  if (arch.is_cell()) return CachedCellOnnx(arch.cell(), options, folder);
  const std::filesystem::path path = folder / ArchOnnxFileName(arch, options);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) == 0) {
    WriteOnnx(FbnetDescription(arch.fbnet(), options), options.batch, path, "simnas_fbnet");
  }
  return path;
}

std::filesystem::path ExportFolder(const std::filesystem::path& cache_dir) {
  return cache_dir.empty() ? std::filesystem::temp_directory_path() / "simnas-onnx" : cache_dir / "onnx";
}

}  // namespace simnas
