// The network of any architecture as an ONNX file: the space describes it (Space::Describe),
// network/onnx_export.h writes and checks it. Used by `simnas export`, the `opencv` device and
// `cmd:` devices' {onnx}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "simnas/network/onnx_export.h"
#include "simnas/space/arch.h"

namespace simnas {
class Space;
}

namespace simnas {

struct ExportOptions {
  int num_classes = 10;  // 10 / 100 / 120 / 1000
  int input_size = 32;   // pixels per side; 0: the architecture's own resolution (spaces that have one)
  int batch = 1;
  std::uint64_t seed = 0;  // weights
};

// Throws ParseError for options the networks of `space` cannot take (classes in [1, 100000],
// batch in [1, 4096], Space::InputSizeProblem), naming the option.
void ValidateExportOptions(const Space& space, const ExportOptions& options);

// The checked model of `arch`, serialized.
std::string SerializeArchOnnx(const Arch& arch, const ExportOptions& options, OnnxModelInfo* info = nullptr);
// Writes it atomically to `path`.
OnnxModelInfo ExportArchOnnx(const Arch& arch, const ExportOptions& options, const std::filesystem::path& path);

// A file name that differs for every architecture and option that changes the model:
// "<space>-v2-<choices, two hex digits each>-k<classes>-s<input>-b<batch>-w<seed>.onnx".
std::string ArchOnnxFileName(const Arch& arch, const ExportOptions& options);
// The model of `arch` in `folder` (ArchOnnxFileName), exported unless a copy there passes its
// check (core/verified_cache.h: the file's SHA-256 and what it was made for, kept beside it):
// a missing, truncated, edited or swapped file is exported again. A concurrent writer is
// harmless (atomic renames of identical content). Throws Error naming the file that could not
// be written.
std::filesystem::path CachedArchOnnx(const Arch& arch, const ExportOptions& options,
                                     const std::filesystem::path& folder);

// The folder exported models are cached in: <cache_dir>/onnx, or a folder under the system's
// temp folder when there is no cache folder.
std::filesystem::path ExportFolder(const std::filesystem::path& cache_dir);

}  // namespace simnas
