#include "simnas/devices/opencv_device.h"

#include <functional>

#include <fmt/format.h>
#include <opencv2/core/version.hpp>  // CV_VERSION only: naming the runtime does not load it

#include "simnas/core/error.h"
#include "simnas/core/subprocess.h"
#include "simnas/devices/opencv_runtime.h"
#include "simnas/core/verified_cache.h"
#include "simnas/devices/reference_network.h"
#include "simnas/space/arch_export.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {

// Sets OpenCV's thread count for a scope; restores it on exit.
class CvThreadScope {
 public:
  explicit CvThreadScope(int threads) : saved_(OpenCv().SetThreads(threads)) {}
  ~CvThreadScope() { OpenCv().SetThreads(saved_); }
  CvThreadScope(const CvThreadScope&) = delete;
  CvThreadScope& operator=(const CvThreadScope&) = delete;

 private:
  int saved_;
};

ExportOptions ExportOptionsOf(const LocalOptions& o) {
  ExportOptions e;
  e.num_classes = o.num_classes;
  e.input_size = o.input_size;
  e.batch = o.batch;
  return e;
}

}  // namespace

std::string OpenCvVersion() { return fmt::format("OpenCV {}", CV_VERSION); }

struct OpenCvDevice::Nets {
  std::unique_ptr<OpenCvNetwork> reference;
};

OpenCvDevice::OpenCvDevice(LocalOptions options)
    : options_(options), machine_(fmt::format("{}|{}", MachineDescription(), OpenCvVersion())) {}

OpenCvDevice::~OpenCvDevice() = default;

std::string OpenCvDevice::Spec() const {
  return fmt::format("opencv:threads={},batch={},input={}", options_.threads, options_.batch,
                     InputSizeText(options_.input_size));
}

std::string OpenCvDevice::Fingerprint() const {
  return fmt::format("opencv|{}|threads={}|batch={}|input={}|classes={}", machine_, options_.threads, options_.batch,
                     InputSizeText(options_.input_size), options_.num_classes);
}

namespace {

// Runs `export_model` (which writes a model into the cache unless a checked copy is there) in a
// child process, so that this process's heap is the same whether the model was cached or not:
// the export's allocations left it in another state, and the network loaded after them ran at
// another speed (NATS-Bench 9930: 7.4-8.2 ms in the process that exported it, 8.4-8.6 ms in the
// processes that read it from the cache). A failure is left to the caller, which runs the same
// export in this process and reports it as usual.
void ExportedApart(const std::function<void()>& export_model) {
  try {
    RunInChildProcess(export_model);
  } catch (const Error&) {
    export_model();
  }
}

}  // namespace

Measurement OpenCvDevice::Measure(const Arch& arch) {
  CvThreadScope threads(options_.threads);
  const std::filesystem::path folder = ExportFolder(options_.cache_dir);
  const ExportOptions export_options = ExportOptionsOf(options_);
  // input=own: each architecture at its own resolution; the reference network at the default size.
  const int side = options_.input_size > 0 ? options_.input_size
                                           : arch.space().InputSize(arch, arch.space().Datasets().front());
  const int reference_side = options_.input_size > 0 ? options_.input_size : LocalOptions{}.input_size;
  const auto load = [&](const std::filesystem::path& onnx, int size) {
    try {
      return OpenCv().Load(onnx, {options_.batch, 3, size, size});
    } catch (const PluginError&) {
      throw;
    } catch (const Error& e) {
      throw DeviceError(fmt::format("device {}: {}", Spec(), e.what()));
    }
  };
  if (!nets_) {
    auto nets = std::make_unique<Nets>();
    // The reference network's model, exported once per shape and checked like every cached model.
    const std::string reference_name =
        fmt::format("reference-{}-k{}-s{}-b{}.onnx", kReferenceNetworkVersion, export_options.num_classes,
                    reference_side, export_options.batch);
    const std::filesystem::path reference_file = folder / reference_name;
    const auto export_reference = [&] {
      if (!ReadVerifiedCacheFile(reference_file, reference_name)) {
        WriteVerifiedCacheFile(reference_file, reference_name,
                               SerializeOnnx(ReferenceNetworkDescription(export_options.num_classes, reference_side),
                                             export_options.batch, nullptr, "simnas_reference"));
      }
    };
    ExportedApart(export_reference);
    nets->reference = load(reference_file, reference_side);
    nets_ = std::move(nets);
    harness_ = std::make_unique<TimingHarness>(options_.timing, Spec(), SystemClock(),
                                               ReferenceMemory(options_, Fingerprint()));
  }
  ExportedApart([&] { CachedArchOnnx(arch, export_options, folder); });
  const std::unique_ptr<OpenCvNetwork> net = load(CachedArchOnnx(arch, export_options, folder), side);
  struct Runner : TimingRunner {
    OpenCvNetwork* reference;
    OpenCvNetwork* target;
    std::string spec, arch;
    void RunReference() override { Run(*reference); }
    void RunTarget() override { Run(*target); }
    void Run(OpenCvNetwork& network) const {
      try {
        network.Forward();
      } catch (const DeviceError&) {
        throw;
      } catch (const Error& e) {
        throw DeviceError(fmt::format("device {}: OpenCV failed to run {}: {}", spec, arch, e.what()));
      }
    }
  } runner;
  runner.reference = nets_->reference.get();
  runner.target = net.get();
  runner.spec = Spec();
  runner.arch = arch.ToString();
  return harness_->Measure(runner, arch.ToString());
}

}  // namespace simnas
