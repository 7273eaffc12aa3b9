#include "simnas/network/cell_export.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/plugin.h"
#include "simnas/core/verified_cache.h"
#include "simnas/network/fbnet_network.h"

namespace simnas {

std::string InputSizeProblem(SpaceKind space, int n) {
  if (space == SpaceKind::kFbnet) return n < 8 || n > 1024 ? "FBNet networks take 8 to 1024 pixels per side" : "";
  // Two stride-2 reductions, each adding a convolution's output to a pooled shortcut: the sizes
  // meet only when each reduction halves an even size.
  if (n < 4 || n > 1024 || n % 4 != 0) {
    return "NAS-Bench-201 networks take a multiple of 4 from 4 to 1024 pixels per side (two stride-2 reductions)";
  }
  return "";
}

void ValidateExportOptions(SpaceKind space, const CellExportOptions& o) {
  if (o.num_classes < 1 || o.num_classes > 100000) {
    throw ParseError(fmt::format("export: classes {} must be in [1, 100000]", o.num_classes));
  }
  if (const std::string problem = InputSizeProblem(space, o.input_size); !problem.empty()) {
    throw ParseError(fmt::format("export: input size {}: {}", o.input_size, problem));
  }
  if (o.batch < 1 || o.batch > 4096) throw ParseError(fmt::format("export: batch {} must be in [1, 4096]", o.batch));
}

void ValidateCellExportOptions(const CellExportOptions& o) { ValidateExportOptions(SpaceKind::kNb201, o); }

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
  return CachedArchOnnx(Arch(cell), options, folder);
}

std::string ArchOnnxFileName(const Arch& arch, const CellExportOptions& o) {
  if (arch.is_cell()) return CellOnnxFileName(arch.cell(), o);
  std::string blocks;
  for (const int b : arch.fbnet().Indices()) blocks += static_cast<char>('0' + b);
  return fmt::format("fbnet-v1-{}-k{}-s{}-b{}-w{}.onnx", blocks, o.num_classes, o.input_size, o.batch, o.seed);
}

namespace {

NetworkDescription FbnetDescription(const FbnetArch& arch, const CellExportOptions& options) {
  ValidateExportOptions(SpaceKind::kFbnet, options);
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
  ValidateExportOptions(arch.space(), options);
  const std::string name = ArchOnnxFileName(arch, options);
  const std::filesystem::path path = folder / name;
  // The key: the file name (architecture code and options) and the architecture string, so that
  // another architecture's model and check copied under this name are refused too.
  const std::string key = name + " " + arch.ToString();
  if (ReadVerifiedCacheFile(path, key)) return path;
  const std::string bytes = SerializeArchOnnx(arch, options);
  WriteVerifiedCacheFile(path, key, bytes);
  return path;
}

std::filesystem::path ExportFolder(const std::filesystem::path& cache_dir) {
  return cache_dir.empty() ? std::filesystem::temp_directory_path() / "simnas-onnx" : cache_dir / "onnx";
}

}  // namespace simnas
