#include "simnas/data/fetch.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/subprocess.h"
#include "simnas/data/cifar.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

// The 640-image sample is not published as such; without a mirror it is rebuilt from the
// first 640 records of the official CIFAR-10 training batch 1 (no augmentation), so its
// hash differs from the mirror's. It is marked by this URL scheme.
constexpr const char* kCifarTarball = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
constexpr const char* kCifarSamplePath = "cifar10-sample/cifar10_sample_640.bin";

bool IsCifarSample(const DataFileSpec& spec) { return spec.path == kCifarSamplePath; }

// Downloads `url` to `dest` with curl (no shell).
void Download(const std::string& url, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  const ProcessResult r =
      RunProcess({"curl", "--fail", "--location", "--silent", "--show-error", "--retry", "2", "--output",
                  dest.string(), url},
                 600.0);
  if (!r.started) throw DataError(fmt::format("cannot download {}: {}", url, r.error));
  if (r.timed_out || r.exit_code != 0) {
    std::string why = r.err;
    if (const auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    throw DataError(fmt::format("cannot download {}: {}", url, r.timed_out ? "timed out" : why));
  }
}

// Rebuilds the 640-image sample from the official CIFAR-10 binary distribution.
void BuildCifarSampleFromUpstream(const fs::path& dest) {
  const fs::path tmp_dir = dest.parent_path() / ".cifar-download";
  fs::create_directories(tmp_dir);
  const fs::path tarball = tmp_dir / "cifar-10-binary.tar.gz";
  Download(kCifarTarball, tarball);
  const ProcessResult r = RunProcess({"tar", "-xzf", tarball.string(), "-C", tmp_dir.string(),
                                      "cifar-10-batches-bin/data_batch_1.bin"},
                                     600.0);
  if (!r.started || r.exit_code != 0) throw DataError(fmt::format("cannot unpack {}: {}", tarball.string(), r.err));
  const std::vector<char> batch = ReadFileBytes(tmp_dir / "cifar-10-batches-bin" / "data_batch_1.bin");
  const std::size_t want = 640 * static_cast<std::size_t>(kCifarRecordBytes);
  if (batch.size() < want) throw DataError("CIFAR-10 data_batch_1.bin is shorter than 640 records");
  WriteFileAtomically(dest, std::string_view(batch.data(), want));
  fs::remove_all(tmp_dir);
}

}  // namespace

DataFileSpec CifarSampleFileSpec() {
  return {kCifarSamplePath, "0c523ba8f5a98ab18146fc2abf086017fa89471681076f65a1732f74cc75a0d3", kCifarTarball,
          [](const fs::path& path) { LoadCifarImages(path); }};
}

std::string WithDataFetchHint(const DataDir& dir, const std::vector<DataFileSpec>& manifest,
                              const std::string& message) {
  if (message.find("simnas data fetch") != std::string::npos) return message;
  for (const DataFileSpec& spec : manifest) {
    if (message.find((dir.root() / spec.path).string()) != std::string::npos) {
      return message + " (run `simnas data fetch` to fetch or repair the data folder)";
    }
  }
  return message;
}

void FetchData(const DataDir& dir, const std::vector<DataFileSpec>& manifest, const FetchOptions& options) {
  int fetched = 0;
  for (const DataFileSpec& spec : manifest) {
    const fs::path dest = dir.root() / spec.path;
    if (!options.force && fs::exists(dest)) {
      const std::string sha = Sha256OfFile(dest);
      if (sha == spec.sha256 || IsCifarSample(spec)) continue;
      std::fprintf(stderr, "%s: content differs from the published file; fetching it again\n", dest.c_str());
    }
    if (options.mirror) {
      const fs::path src = *options.mirror / spec.path;
      if (!fs::exists(src)) throw DataError(fmt::format("{}: missing in the data mirror", src.string()));
      const std::string sha = Sha256OfFile(src);
      if (sha != spec.sha256) {
        throw DataError(fmt::format("{}: SHA-256 {} differs from the published {}", src.string(), sha, spec.sha256));
      }
      const std::vector<char> bytes = ReadFileBytes(src);
      WriteFileAtomically(dest, std::string_view(bytes.data(), bytes.size()));
    } else if (IsCifarSample(spec)) {
      BuildCifarSampleFromUpstream(dest);
    } else {
      const fs::path tmp = dest.string() + ".download";
      Download(spec.url, tmp);
      const std::string sha = Sha256OfFile(tmp);
      if (sha != spec.sha256) {
        fs::remove(tmp);
        throw DataError(fmt::format("{}: downloaded file has SHA-256 {}, expected {}", spec.url, sha, spec.sha256));
      }
      fs::rename(tmp, dest);
    }
    ++fetched;
    std::fprintf(stderr, "fetched %s\n", spec.path.c_str());
  }
  std::fprintf(stderr, "data in %s: %d file(s) fetched, %zu present\n", dir.root().c_str(), fetched,
               manifest.size());
}

std::vector<VerifyEntry> VerifyData(const DataDir& dir, const std::vector<DataFileSpec>& manifest) {
  std::vector<VerifyEntry> entries;
  for (const DataFileSpec& spec : manifest) {
    VerifyEntry e{spec.path, false, false, ""};
    const fs::path path = dir.root() / spec.path;
    e.present = fs::exists(path);
    if (!e.present) {
      e.problem = "missing (run `simnas data fetch`)";
      entries.push_back(e);
      continue;
    }
    e.hash_matches = Sha256OfFile(path) == spec.sha256;
    try {
      if (spec.validate) spec.validate(path);
      if (!e.hash_matches && !IsCifarSample(spec)) e.problem = "content differs from the published file";
    } catch (const Error& err) {
      e.problem = err.what();
    }
    entries.push_back(e);
  }
  return entries;
}

}  // namespace simnas
