#include "simnas/devices/fbnet_synthetic_device.h"

#include "simnas/spaces/fbnet/fbnet_space.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

FbnetSyntheticDevice::FbnetSyntheticDevice(std::uint64_t seed, const FbnetLut& lut) : seed_(seed), lut_(lut) {}

std::string FbnetSyntheticDevice::Spec() const { return fmt::format("synthetic:{}", seed_); }

std::string FbnetSyntheticDevice::Fingerprint() const {
  // FNV-1a over the entries printed to 9 significant digits (a table, not its bit pattern).
  std::uint64_t h = 14695981039346656037ULL;
  const auto mix = [&h](double v) {
    for (const char c : fmt::format("{:.9g};", v)) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  };
  mix(lut_.fixed_ms);
  for (const auto& layer : lut_.block_ms) {
    for (const double v : layer) mix(v);
  }
  return fmt::format("fbnet|synthetic:{}:fixed={:.6g},lut={:016x}", seed_, lut_.fixed_ms, h);
}

Measurement FbnetSyntheticDevice::Measure(const Arch& arch) {
  if (arch.space_name() != FbnetSpace().name()) {
    throw DeviceError(fmt::format("device {} (--space fbnet) measures FBNet networks, not {}", Spec(), arch.ToString()));
  }
  return Measurement{lut_.Latency(FbnetOf(arch)), 0.0, 1};
}

}  // namespace simnas
