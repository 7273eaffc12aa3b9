#include "simnas/devices/local_device.h"

#include <fmt/format.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/core/strings.h"
#include "simnas/network/cell_export.h"
#include "simnas/network/described_network.h"
#include "simnas/network/fbnet_network.h"
#include "simnas/network/tiny_network.h"

namespace simnas {
namespace {

Cell AllNone() { return Cell(); }

}  // namespace

struct LocalDevice::Reference {
  TinyNetwork net{nullptr};
  torch::Tensor input;
};

std::optional<RememberedReference> ReferenceMemory(const LocalOptions& options, const std::string& fingerprint) {
  if (!options.remember_reference || options.cache_dir.empty()) return std::nullopt;
  return RememberedReference{options.cache_dir / "local-reference.json", fingerprint};
}

LocalOptions ParseLocalOptions(const std::string& text, std::string_view kind) {
  LocalOptions o;
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
      o.input_size = as_int(8, 1024);
      // The reference network that gauges the machine is a NAS-Bench-201 cell, whatever the space.
      if (const std::string problem = InputSizeProblem(SpaceKind::kNb201, o.input_size); !problem.empty()) {
        throw ParseError(fmt::format("{} device option input={}: {}", kind, o.input_size, problem));
      }
    }
    else if (key == "classes") o.num_classes = as_int(1, 100000);
    else if (key == "warmup") o.timing.warmup = as_int(0, 10000);
    else if (key == "repeats") o.timing.repeats = as_int(6, 100000);
    else if (key == "min_time") o.timing.min_time_ms = as_positive();
    else if (key == "sample") o.timing.sample_ms = as_positive();
    else if (key == "tolerance") o.timing.tolerance = as_positive();
    else if (key == "max_wait") o.timing.max_wait_s = as_positive();
    else if (key == "quiet") o.timing.quiet_tolerance = as_positive();
    else if (key == "normalize") o.timing.normalize = as_int(0, 1) == 1;
    else if (key == "window") o.timing.reference_window_s = as_positive();
    else if (key == "max_spread" || key == "tries") {
      throw ParseError(fmt::format("{} device option {} is no more: a measurement now stops when the 95% interval of "
                                   "its median is within tolerance=F (default {}) or refuses at the time cap "
                                   "max_wait=S (default {:.0f} s)",
                                   kind, Quoted(key), TimingOptions{}.tolerance, TimingOptions{}.max_wait_s));
    } else {
      throw ParseError(fmt::format("unknown {} device option {}; expected threads, batch, input, classes, warmup, "
                                   "repeats, min_time, sample, tolerance, max_wait, quiet, normalize or window",
                                   kind, Quoted(key)));
    }
  }
  return o;
}

LocalDevice::LocalDevice(LocalOptions options)
    : options_(options), machine_(fmt::format("{}|torch {}", MachineDescription(), TORCH_VERSION)) {}

std::string LocalDevice::Spec() const {
  return fmt::format("local:threads={},batch={},input={}", options_.threads, options_.batch, options_.input_size);
}

std::string LocalDevice::Fingerprint() const {
  return fmt::format("local|{}|threads={}|batch={}|input={}|classes={}", machine_, options_.threads, options_.batch,
                     options_.input_size, options_.num_classes);
}

Measurement LocalDevice::Measure(const Arch& arch) {
  const ScopedThreads threads(options_.threads);
  torch::InferenceMode inference;
  NetworkOptions net_options;
  net_options.num_classes = options_.num_classes;
  // A generator of its own: measuring must not reset the process's global random state.
  const at::Generator generator = at::detail::createCPUGenerator(0);
  const torch::Tensor input =
      torch::randn({options_.batch, 3, options_.input_size, options_.input_size}, generator);
  if (!reference_) {
    reference_ = std::make_shared<Reference>();
    reference_->net = TinyNetwork(AllNone(), net_options);
    reference_->net->eval();
    reference_->input = input;
    harness_ = std::make_unique<TimingHarness>(options_.timing, Spec(), SystemClock(),
                                               ReferenceMemory(options_, Fingerprint()));
  }
  // The target network: a cell's TinyNetwork, or another space's described network. (The
  // reference stays the all-`none` cell for every space: it only gauges the machine's speed.)
  TinyNetwork cell_net{nullptr};
  DescribedNetwork described_net{nullptr};
  if (arch.is_cell()) {
    cell_net = TinyNetwork(arch.cell(), net_options);
    cell_net->eval();
  } else {
    FbnetNetworkOptions fbnet_options;
    fbnet_options.num_classes = options_.num_classes;
    fbnet_options.input_size = options_.input_size;
    described_net = DescribedNetwork(DescribeFbnet(arch.fbnet(), fbnet_options));
    described_net->eval();
  }
  struct Runner : TimingRunner {
    Reference* reference;
    TinyNetwork* cell_net;
    DescribedNetwork* described_net;
    const torch::Tensor* input;
    void RunReference() override { const torch::Tensor out = reference->net->forward(reference->input); }
    void RunTarget() override {
      const torch::Tensor out = *cell_net ? (*cell_net)->forward(*input) : (*described_net)->forward(*input);
    }
  } runner;
  runner.reference = reference_.get();
  runner.cell_net = &cell_net;
  runner.described_net = &described_net;
  runner.input = &input;
  return harness_->Measure(runner, arch.ToString());
}

}  // namespace simnas
