#include "simnas/devices/local_device.h"

#include <fmt/format.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/network/described_network.h"
#include "simnas/network/fbnet_network.h"
#include "simnas/network/tiny_network.h"

namespace simnas {
namespace {

Cell AllNone() { return Cell(); }

}  // namespace

// The LibTorch side of LocalDevice (local_device.h): the reference network, its input and the
// timing harness, made at the first measurement.
class TorchLocalBackend : public LocalDevice::Backend {
 public:
  TorchLocalBackend(const LocalOptions& options, std::string spec, std::string fingerprint)
      : options_(options), spec_(std::move(spec)), fingerprint_(std::move(fingerprint)) {}
  Measurement Measure(const Arch& arch) override;

 private:
  struct Reference {
    TinyNetwork net{nullptr};
    torch::Tensor input;
  };
  LocalOptions options_;
  std::string spec_;
  std::string fingerprint_;
  std::unique_ptr<Reference> reference_;
  std::unique_ptr<TimingHarness> harness_;
};

Measurement TorchLocalBackend::Measure(const Arch& arch) {
  const ScopedThreads threads(options_.threads);
  torch::InferenceMode inference;
  NetworkOptions net_options;
  net_options.num_classes = options_.num_classes;
  // A generator of its own: measuring must not reset the process's global random state.
  const at::Generator generator = at::detail::createCPUGenerator(0);
  const torch::Tensor input =
      torch::randn({options_.batch, 3, options_.input_size, options_.input_size}, generator);
  if (!reference_) {
    reference_ = std::make_unique<Reference>();
    reference_->net = TinyNetwork(AllNone(), net_options);
    reference_->net->eval();
    reference_->input = input;
    harness_ = std::make_unique<TimingHarness>(options_.timing, spec_, SystemClock(),
                                               ReferenceMemory(options_, fingerprint_));
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

simnas::LocalDevice::Backend* simnas_torch_new_local_backend(const simnas::LocalOptions& options,
                                                            const std::string& spec,
                                                            const std::string& fingerprint) {
  return new simnas::TorchLocalBackend(options, spec, fingerprint);
}
