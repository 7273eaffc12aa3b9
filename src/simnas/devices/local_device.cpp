// The torch-free side of `local` (local_device.h): options, spec and fingerprint; measuring
// opens the torch plugin (local_device_torch.cpp).
#include "simnas/devices/local_device.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/plugin.h"
#include "simnas/core/strings.h"
#include "simnas/devices/reference_network.h"

namespace simnas {

std::optional<RememberedReference> ReferenceMemory(const LocalOptions& options, const std::string& fingerprint) {
  if (!options.remember_reference || options.cache_dir.empty()) return std::nullopt;
  return RememberedReference{options.cache_dir / "local-reference.json",
                             fingerprint + "|" + kReferenceNetworkVersion + "|arena"};
}

std::string InputSizeText(int input_size) { return input_size > 0 ? std::to_string(input_size) : "own"; }

LocalOptions ParseLocalOptions(const std::string& text, std::string_view kind, const LocalOptions& defaults) {
  LocalOptions o = defaults;
  if (Trim(text).empty()) return o;
  for (const std::string& item : Split(text, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      throw ParseError(fmt::format("{} device option {} is not key=value", kind, Quoted(item)));
    }
    const std::string key(Trim(item.substr(0, eq)));
    const std::string value(Trim(item.substr(eq + 1)));
    const auto as_int = [&](int min, int max) {
      const auto v = ParseInt(value);
      if (!v || *v < min || *v > max) {
        throw ParseError(fmt::format("{} device option {}={} must be an integer in [{}, {}]", kind, key,
                                     Quoted(value), min, max));
      }
      return static_cast<int>(*v);
    };
    const auto as_positive = [&] {
      const auto v = ParseDouble(value);
      if (!v || *v <= 0) throw ParseError(fmt::format("{} device option {}={} must be > 0", kind, key, Quoted(value)));
      return *v;
    };
    if (key == "threads") o.threads = as_int(1, 256);
    else if (key == "batch") o.batch = as_int(1, 4096);
    else if (key == "input") {
      // The measured space's own sizes are checked when the device is opened (device_factory.h).
      o.input_size = value == "own" ? 0 : as_int(8, 1024);
    }
    else if (key == "classes") o.num_classes = as_int(1, 100000);
    else if (key == "warmup") o.timing.warmup = as_int(0, 10000);
    else if (key == "repeats") o.timing.repeats = as_int(6, 100000);
    else if (key == "min_time") o.timing.min_time_ms = as_positive();
    else if (key == "sample") o.timing.sample_ms = as_positive();
    else if (key == "tolerance") o.timing.tolerance = as_positive();
    else if (key == "max_wait") o.timing.max_wait_s = as_positive();
    else if (key == "quiet") o.timing.quiet_tolerance = as_positive();
    else if (key == "on_cpu") {
      const auto v = ParseDouble(value);
      if (!v || *v < 0 || *v > 1) {
        throw ParseError(fmt::format("{} device option {}={} must be in [0, 1]", kind, key, Quoted(value)));
      }
      o.timing.on_cpu = *v;
    }
    else if (key == "normalize") o.timing.normalize = as_int(0, 1) == 1;
    else if (key == "window") o.timing.reference_window_s = as_positive();
    else if (key == "memory") o.timing.memory_window_s = as_positive();
    else if (key == "reference") o.timing.reference_ms = as_positive();
    else if (key == "max_spread" || key == "tries") {
      throw ParseError(fmt::format("{} device option {} is no more: a measurement now stops when the 95% interval of "
                                   "its median is within tolerance=F (default {}) or refuses at the time cap "
                                   "max_wait=S (default {:.0f} s)",
                                   kind, Quoted(key), TimingOptions{}.tolerance, TimingOptions{}.max_wait_s));
    } else {
      throw ParseError(fmt::format("unknown {} device option {}; expected threads, batch, input, classes, warmup, "
                                   "repeats, min_time, sample, tolerance, max_wait, quiet, on_cpu, normalize, window, memory or "
                                   "reference",
                                   kind, Quoted(key)));
    }
  }
  return o;
}

LocalDevice::LocalDevice(LocalOptions options)
    : options_(options), machine_(fmt::format("{}|torch {}", MachineDescription(), SIMNAS_TORCH_VERSION)) {}

std::string LocalDevice::Spec() const {
  return fmt::format("local:threads={},batch={},input={}", options_.threads, options_.batch,
                     InputSizeText(options_.input_size));
}

std::string LocalDevice::Fingerprint() const {
  return fmt::format("local|{}|threads={}|batch={}|input={}|classes={}", machine_, options_.threads, options_.batch,
                     InputSizeText(options_.input_size), options_.num_classes);
}

LocalDevice::~LocalDevice() = default;

Measurement LocalDevice::Measure(const Arch& arch) {
  if (!backend_) {
    backend_.reset(SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_new_local_backend)(options_, Spec(), Fingerprint()));
  }
  return backend_->Measure(arch);
}

}  // namespace simnas
