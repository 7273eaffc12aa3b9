#include "simnas/devices/local_device.h"

#include <fmt/format.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include <atomic>

#include "simnas/core/error.h"
#include "simnas/core/threads.h"
#include "simnas/devices/buffer_arena.h"
#include "simnas/devices/reference_network.h"
#include "simnas/network/described_network.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {

// LibTorch's CPU allocator once the local device has measured: while active, every CPU buffer
// comes from one BufferArena (buffer_arena.h), so that a network's weights and activations lie
// at the same addresses in every process; while inactive, it hands requests to the allocator it
// replaced.
class ArenaCpuAllocator final : public c10::Allocator {
 public:
  static ArenaCpuAllocator& Get() {
    static ArenaCpuAllocator* const installed = [] {
      auto* allocator = new ArenaCpuAllocator(c10::GetCPUAllocator());  // static lifetime, as LibTorch requires
      c10::SetCPUAllocator(allocator, /*priority=*/255);
      return allocator;
    }();
    return *installed;
  }
  BufferArena& arena() { return arena_; }
  void SetActive(bool active) { active_ = active; }

  c10::DataPtr allocate(size_t bytes) const override {
    if (active_) {
      if (void* data = arena_.Allocate(bytes)) return {data, data, &Delete, c10::Device(c10::DeviceType::CPU)};
    }
    return replaced_->allocate(bytes);
  }
  c10::DeleterFnPtr raw_deleter() const override { return &Delete; }

 private:
  explicit ArenaCpuAllocator(c10::Allocator* replaced) : replaced_(replaced) {}
  static void Delete(void* data) {
    ArenaCpuAllocator& self = Get();
    if (self.arena_.Free(data)) return;
    if (const c10::DeleterFnPtr deleter = self.replaced_->raw_deleter()) deleter(data);
  }

  c10::Allocator* replaced_;
  mutable BufferArena arena_{std::size_t{1} << 30};
  std::atomic<bool> active_ = false;
};

// Makes LibTorch's CPU buffers come from the arena for the scope's lifetime.
class ArenaBuffers {
 public:
  ArenaBuffers() : allocator_(ArenaCpuAllocator::Get()) { allocator_.SetActive(true); }
  ~ArenaBuffers() { allocator_.SetActive(false); }
  ArenaBuffers(const ArenaBuffers&) = delete;
  ArenaBuffers& operator=(const ArenaBuffers&) = delete;
  BufferArena& arena() { return allocator_.arena(); }

 private:
  ArenaCpuAllocator& allocator_;
};

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
  // The reference network is made at the first measurement and the arena marked after it; each
  // measurement starts from that mark, so a target's buffers lie where they would in any other
  // process, whatever was measured before.
  ArenaBuffers buffers;
  // input=own: each architecture at its own resolution; the reference network at the default size.
  const int side = options_.input_size > 0 ? options_.input_size
                                           : arch.space().InputSize(arch, arch.space().Datasets().front());
  const int reference_side = options_.input_size > 0 ? options_.input_size : LocalOptions{}.input_size;
  if (!reference_) {
    reference_ = std::make_unique<Reference>();
    reference_->net = DescribedNetwork(ReferenceNetworkDescription(options_.num_classes, reference_side));
    reference_->net->eval();
    reference_->input = torch::randn({options_.batch, 3, reference_side, reference_side},
                                     at::detail::createCPUGenerator(0));
    harness_ = std::make_unique<TimingHarness>(options_.timing, spec_, SystemClock(),
                                               ReferenceMemory(options_, fingerprint_));
    buffers.arena().Mark();
  } else {
    buffers.arena().ReleaseToMark();
  }
  // A generator of its own: measuring must not reset the process's global random state.
  const torch::Tensor input = torch::randn({options_.batch, 3, side, side}, at::detail::createCPUGenerator(0));
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
