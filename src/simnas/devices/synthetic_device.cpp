#include "simnas/devices/synthetic_device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/devices/device_spec.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"

namespace simnas {

SyntheticDevice::SyntheticDevice(const Space& space, std::uint64_t seed, SyntheticLut lut, SyntheticOptions options,
                                 bool options_given)
    : space_(&space),
      seed_(seed),
      lut_(std::move(lut)),
      options_(options),
      options_given_(options_given),
      noise_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

std::string SyntheticDevice::Spec() const {
  return options_given_ ? fmt::format("synthetic:{},{}", seed_, options_.ToString()) : fmt::format("synthetic:{}", seed_);
}

std::string SyntheticDevice::Fingerprint() const {
  return fmt::format("{}|synthetic:{}:{}:fixed={:.6g},live={},lut={:016x}", space_->name(), seed_, options_.ToString(),
                     lut_.fixed_ms, lut_.live_only ? 1 : 0, lut_.Digest());
}

Measurement SyntheticDevice::Measure(const Arch& arch) {
  if (arch.empty() || &arch.space() != space_) {
    throw DeviceError(fmt::format("device {} (--space {}) measures {} architectures, not {}", Spec(), space_->name(),
                                  space_->name(), arch.ToString()));
  }
  return Measurement{lut_.Measure(arch, noise_rng_), 0.0, 1};
}

std::unique_ptr<SyntheticDevice> OpenSyntheticDevice(const SpaceData& data, const DeviceSpec& spec) {
  const Space& space = data.space();
  const SyntheticOptions options = SyntheticOptions::Parse(spec.options(), space.DefaultSyntheticOptions());
  const SyntheticDistribution distribution = FitSyntheticDistribution(data, options.fit);
  return std::make_unique<SyntheticDevice>(space, spec.seed(), distribution.Sample(spec.seed(), options), options,
                                           spec.has_options());
}

}  // namespace simnas
