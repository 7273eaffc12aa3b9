#include "simnas/devices/local_device.h"

#include <fmt/format.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/devices/reference_network.h"
#include "simnas/network/described_network.h"
#include "simnas/space/space.h"

namespace simnas {

// The LibTorch side of LocalDevice (local_device.h): the reference network, its input and the
// timing harness, made at the first measurement.
class TorchLocalBackend : public LocalDevice::Backend {
 public:
  TorchLocalBackend(const LocalOptions& options, std::string spec, std::string fingerprint)
      : options_(options), spec_(std::move(spec)), fingerprint_(std::move(fingerprint)) {}
  Measurement Measure(const Arch& arch) override;

 private:
  struct Reference {
    DescribedNetwork net{nullptr};
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
  // A generator of its own: measuring must not reset the process's global random state.
  const at::Generator generator = at::detail::createCPUGenerator(0);
  // input=own: each architecture at its own resolution; the reference network at the default size.
  const int side = options_.input_size > 0 ? options_.input_size
                                           : arch.space().InputSize(arch, arch.space().Datasets().front());
  const int reference_side = options_.input_size > 0 ? options_.input_size : LocalOptions{}.input_size;
  const torch::Tensor input = torch::randn({options_.batch, 3, side, side}, generator);
  if (!reference_) {
    reference_ = std::make_unique<Reference>();
    reference_->net = DescribedNetwork(ReferenceNetworkDescription(options_.num_classes, reference_side));
    reference_->net->eval();
    reference_->input = side == reference_side
                            ? input
                            : torch::randn({options_.batch, 3, reference_side, reference_side}, generator);
    harness_ = std::make_unique<TimingHarness>(options_.timing, spec_, SystemClock(),
                                               ReferenceMemory(options_, fingerprint_));
  }
  // The target network, as its space describes it.
  NetworkOptions net_options;
  net_options.num_classes = options_.num_classes;
  net_options.input_size = options_.input_size;
  DescribedNetwork target(arch.space().Describe(arch, net_options));
  target->eval();
  struct Runner : TimingRunner {
    Reference* reference;
    DescribedNetwork* target;
    const torch::Tensor* input;
    void RunReference() override { const torch::Tensor out = reference->net->forward(reference->input); }
    void RunTarget() override { const torch::Tensor out = (*target)->forward(*input); }
  } runner;
  runner.reference = reference_.get();
  runner.target = &target;
  runner.input = &input;
  return harness_->Measure(runner, arch.ToString());
}

}  // namespace simnas

simnas::LocalDevice::Backend* simnas_torch_new_local_backend(const simnas::LocalOptions& options,
                                                            const std::string& spec,
                                                            const std::string& fingerprint) {
  return new simnas::TorchLocalBackend(options, spec, fingerprint);
}
