#include "simnas/space/arch_export.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/verified_cache.h"
#include "simnas/space/space.h"

namespace simnas {

void ValidateExportOptions(const Space& space, const ExportOptions& o) {
  if (o.num_classes < 1 || o.num_classes > 100000) {
    throw ParseError(fmt::format("export: classes {} must be in [1, 100000]", o.num_classes));
  }
  if (o.input_size != 0) {
    if (const std::string problem = space.InputSizeProblem(o.input_size); !problem.empty()) {
      throw ParseError(fmt::format("export: input size {}: {}", o.input_size, problem));
    }
  }
  if (o.batch < 1 || o.batch > 4096) throw ParseError(fmt::format("export: batch {} must be in [1, 4096]", o.batch));
}

std::string SerializeArchOnnx(const Arch& arch, const ExportOptions& options, OnnxModelInfo* info) {
  ValidateExportOptions(arch.space(), options);
  NetworkOptions net;
  net.num_classes = options.num_classes;
  net.input_size = options.input_size;
  net.seed = options.seed;
  return SerializeOnnx(arch.space().Describe(arch, net), options.batch, info, arch.ToString());
}

OnnxModelInfo ExportArchOnnx(const Arch& arch, const ExportOptions& options, const std::filesystem::path& path) {
  OnnxModelInfo info;
  const std::string bytes = SerializeArchOnnx(arch, options, &info);
  WriteFileAtomically(path, bytes);
  return info;
}

std::string ArchOnnxFileName(const Arch& arch, const ExportOptions& o) {
  std::string choices;
  for (const std::uint8_t c : arch.choices()) choices += fmt::format("{:02x}", c);
  return fmt::format("{}-v2-{}-k{}-s{}-b{}-w{}.onnx", arch.space_name(), choices, o.num_classes, o.input_size,
                     o.batch, o.seed);
}

std::filesystem::path CachedArchOnnx(const Arch& arch, const ExportOptions& options,
                                     const std::filesystem::path& folder) {
  ValidateExportOptions(arch.space(), options);
  const std::string name = ArchOnnxFileName(arch, options);
  const std::filesystem::path path = folder / name;
  // The key: the file name (choices and options) and the architecture's text, so that another
  // architecture's model and check copied under this name are refused too.
  const std::string key = name + " " + arch.ToString();
  if (ReadVerifiedCacheFile(path, key)) return path;
  WriteVerifiedCacheFile(path, key, SerializeArchOnnx(arch, options));
  return path;
}

std::filesystem::path ExportFolder(const std::filesystem::path& cache_dir) {
  return cache_dir.empty() ? std::filesystem::temp_directory_path() / "simnas-onnx" : cache_dir / "onnx";
}

}  // namespace simnas
