// Tiny helpers to write and read plain values into a byte string (checkpoint state).
// Reads are bounds-checked and throw DataError("truncated state").
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "simnas/core/error.h"

namespace simnas::binary {

template <typename T>
void Put(std::string& out, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
T Get(const char*& in, const char* end) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (end - in < static_cast<std::ptrdiff_t>(sizeof(T))) throw DataError("truncated state");
  T value;
  std::memcpy(&value, in, sizeof(T));
  in += sizeof(T);
  return value;
}

template <typename T>
void PutVector(std::string& out, const std::vector<T>& v) {
  Put<std::uint64_t>(out, v.size());
  if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <typename T>
std::vector<T> GetVector(const char*& in, const char* end, std::size_t max_size = 1u << 28) {
  const auto n = Get<std::uint64_t>(in, end);
  if (n > max_size || static_cast<std::uint64_t>(end - in) < n * sizeof(T)) throw DataError("truncated state");
  std::vector<T> v(n);
  if (n > 0) std::memcpy(v.data(), in, n * sizeof(T));
  in += n * sizeof(T);
  return v;
}

inline void PutString(std::string& out, const std::string& s) {
  Put<std::uint64_t>(out, s.size());
  out += s;
}

inline std::string GetString(const char*& in, const char* end) {
  const auto n = Get<std::uint64_t>(in, end);
  if (static_cast<std::uint64_t>(end - in) < n) throw DataError("truncated state");
  std::string s(in, n);
  in += n;
  return s;
}

// FNV-1a, 64 bit: a checksum to detect corrupt files (not a cryptographic hash).
inline std::uint64_t Fnv1a(const char* data, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace simnas::binary
