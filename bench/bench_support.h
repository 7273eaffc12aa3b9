// Where the speed benchmarks find their inputs: $SIMNAS_DATA (run.sh sets it) else ./data, and
// $SIMNAS_SHARE (the shipped tables and models) else the working directory (run from the
// repository, as `./run.sh bench` does).
#pragma once

#include <cstdlib>
#include <filesystem>

namespace simnas {

inline std::filesystem::path BenchDirFromEnv(const char* variable, const char* fallback) {
  const char* v = std::getenv(variable);
  return (v != nullptr && *v != '\0') ? std::filesystem::path(v) : std::filesystem::path(fallback);
}
inline std::filesystem::path BenchDataDir() { return BenchDirFromEnv("SIMNAS_DATA", "data"); }
inline std::filesystem::path BenchShareDir() { return BenchDirFromEnv("SIMNAS_SHARE", "."); }

}  // namespace simnas
