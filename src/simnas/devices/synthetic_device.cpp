#include "simnas/devices/synthetic_device.h"

#include "simnas/spaces/nb201/nb201_space.h"

#include <fmt/format.h>

namespace simnas {

SyntheticDevice::SyntheticDevice(std::uint64_t seed, const SyntheticDeviceModel& model, SyntheticOptions options,
                                 bool options_given)
    : seed_(seed),
      model_(model),
      options_(options),
      options_given_(options_given),
      noise_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

std::string SyntheticDevice::Spec() const {
  return options_given_ ? fmt::format("synthetic:{},{}", seed_, options_.ToString()) : fmt::format("synthetic:{}", seed_);
}

std::string SyntheticDevice::Fingerprint() const {
  std::string costs;
  for (const auto& edge : model_.edge_op_ms) {
    costs += fmt::format("/{:.6g},{:.6g},{:.6g},{:.6g}", edge[1], edge[2], edge[3], edge[4]);
  }
  return fmt::format("synthetic:{}:{}:fixed={:.6g},live={}{}", seed_, options_.ToString(), model_.fixed_ms,
                     model_.live_only ? 1 : 0, costs);
}

Measurement SyntheticDevice::Measure(const Arch& arch) {
  return Measurement{model_.Measure(CellOf(arch), noise_rng_), 0.0, 1};
}

}  // namespace simnas
