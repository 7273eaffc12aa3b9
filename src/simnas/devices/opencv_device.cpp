#include "simnas/devices/opencv_device.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "simnas/core/error.h"
#include "simnas/network/cell_export.h"

namespace simnas {
namespace {

// Sets OpenCV's thread count for a scope; restores it on exit.
class CvThreadScope {
 public:
  explicit CvThreadScope(int threads) : saved_(cv::getNumThreads()) { cv::setNumThreads(threads); }
  ~CvThreadScope() { cv::setNumThreads(saved_); }
  CvThreadScope(const CvThreadScope&) = delete;
  CvThreadScope& operator=(const CvThreadScope&) = delete;

 private:
  int saved_;
};

CellExportOptions ExportOptions(const LocalOptions& o) {
  CellExportOptions e;
  e.num_classes = o.num_classes;
  e.input_size = o.input_size;
  e.batch = o.batch;
  return e;
}

cv::dnn::Net Load(const std::filesystem::path& path, const std::string& spec) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(path.string());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
  } catch (const cv::Exception& e) {
    throw DeviceError(fmt::format("device {}: OpenCV could not load {}: {}", spec, path.string(), e.what()));
  }
}

}  // namespace

std::string OpenCvVersion() { return fmt::format("OpenCV {}", CV_VERSION); }

struct OpenCvDevice::Nets {
  cv::dnn::Net reference;
  cv::Mat input;
};

OpenCvDevice::OpenCvDevice(LocalOptions options)
    : options_(options), machine_(fmt::format("{}|{}", MachineDescription(), OpenCvVersion())) {}

OpenCvDevice::~OpenCvDevice() = default;

std::string OpenCvDevice::Spec() const {
  return fmt::format("opencv:threads={},batch={},input={}", options_.threads, options_.batch, options_.input_size);
}

std::string OpenCvDevice::Fingerprint() const {
  return fmt::format("opencv|{}|threads={}|batch={}|input={}|classes={}", machine_, options_.threads, options_.batch,
                     options_.input_size, options_.num_classes);
}

Measurement OpenCvDevice::Measure(const Arch& arch) {
  CvThreadScope threads(options_.threads);
  const std::filesystem::path folder = ExportFolder(options_.cache_dir);
  const CellExportOptions export_options = ExportOptions(options_);
  if (!nets_) {
    auto nets = std::make_unique<Nets>();
    nets->reference = Load(CachedCellOnnx(Cell(), export_options, folder), Spec());
    const int dims[4] = {options_.batch, 3, options_.input_size, options_.input_size};
    nets->input = cv::Mat(4, dims, CV_32F);
    cv::RNG rng(0);
    rng.fill(nets->input, cv::RNG::NORMAL, 0.0, 1.0);
    nets_ = std::move(nets);
    harness_ = std::make_unique<TimingHarness>(options_.timing, Spec(), SystemClock(),
                                               ReferenceMemory(options_, Fingerprint()));
  }
  cv::dnn::Net net = Load(CachedArchOnnx(arch, export_options, folder), Spec());
  struct Runner : TimingRunner {
    Nets* nets;
    cv::dnn::Net* net;
    void RunReference() override {
      nets->reference.setInput(nets->input);
      const cv::Mat out = nets->reference.forward();
    }
    void RunTarget() override {
      net->setInput(nets->input);
      const cv::Mat out = net->forward();
    }
  } runner;
  runner.nets = nets_.get();
  runner.net = &net;
  try {
    return harness_->Measure(runner, arch.ToString());
  } catch (const cv::Exception& e) {
    throw DeviceError(fmt::format("device {}: OpenCV failed to run {}: {}", Spec(), arch.ToString(), e.what()));
  }
}

}  // namespace simnas
