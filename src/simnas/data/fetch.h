// Filling the data folder: from a local mirror of the published files
// ($SIMNAS_DATA_MIRROR, e.g. ../shared/data in CI) or, without one, from the upstream
// repositories. The files are third-party data and are never committed.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "simnas/data/data_dir.h"

namespace simnas {

struct DataFileSpec {
  std::string path;    // relative to the data folder
  std::string sha256;  // of the published file
  std::string url;     // upstream download
  // Loads the file to check its content (VerifyData); throws Error describing the problem.
  // Empty: the hash alone is checked.
  std::function<void(const std::filesystem::path&)> validate;
};

// The 640-image CIFAR-10 sample the training-free proxies read (cifar10-sample/). Without a
// mirror it is rebuilt from the official CIFAR-10 binary distribution (first 640 records of
// training batch 1, no augmentation), so its hash may differ from the mirror's.
DataFileSpec CifarSampleFileSpec();

// The manifests below are the union of what the search spaces declare (space/data_manifest.h).

struct FetchOptions {
  std::optional<std::filesystem::path> mirror;  // copy from here instead of downloading
  bool force = false;                           // re-fetch files that are already present and valid
};

// Copies or downloads every missing (or, with force, every) file, checks each against its
// published SHA-256 and writes it atomically. Prints one line per file fetched to stderr.
// Throws DataError naming the first file that cannot be obtained or does not match.
void FetchData(const DataDir& dir, const std::vector<DataFileSpec>& manifest, const FetchOptions& options);

struct VerifyEntry {
  std::string path;
  bool present = false;
  bool hash_matches = false;
  std::string problem;  // empty when the file is present, matches and passes validation
};

// Checks presence and hash of every file, and loads each table to validate its content.
std::vector<VerifyEntry> VerifyData(const DataDir& dir, const std::vector<DataFileSpec>& manifest);

// `message` (an error) with " (run `simnas data fetch` to fetch or repair the data folder)"
// appended when it names a file of `dir` that the fetch provides (one of `manifest`) and does
// not already say how to fetch it; else `message` unchanged.
std::string WithDataFetchHint(const DataDir& dir, const std::vector<DataFileSpec>& manifest,
                              const std::string& message);

}  // namespace simnas
