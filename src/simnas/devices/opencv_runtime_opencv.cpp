// OpenCV DNN behind OpenCvRuntime: the plugin libsimnas_opencv.so.
#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "simnas/core/error.h"
#include "simnas/core/plugin.h"
#include "simnas/devices/opencv_runtime.h"

namespace simnas {
namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

class Network : public OpenCvNetwork {
 public:
  Network(cv::dnn::Net net, cv::Mat input) : net_(std::move(net)), input_(std::move(input)) {}
  void Forward() override {
    try {
      net_.setInput(input_);
      const cv::Mat out = net_.forward();
    } catch (const cv::Exception& e) {
      throw Error(FirstLine(e.what()));
    }
  }

 private:
  cv::dnn::Net net_;
  cv::Mat input_;
};

class Runtime : public OpenCvRuntime {
 public:
  std::unique_ptr<OpenCvNetwork> Load(const std::filesystem::path& onnx,
                                      const std::vector<int>& input_shape) const override {
    try {
      cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.string());
      net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      cv::Mat input(static_cast<int>(input_shape.size()), input_shape.data(), CV_32F);
      cv::RNG rng(0);
      rng.fill(input, cv::RNG::NORMAL, 0.0, 1.0);
      return std::make_unique<Network>(std::move(net), std::move(input));
    } catch (const cv::Exception& e) {
      throw Error(fmt::format("OpenCV could not load {}: {}", onnx.string(), FirstLine(e.what())));
    }
  }

  int SetThreads(int threads) const override {
    const int previous = cv::getNumThreads();
    cv::setNumThreads(threads);
    return previous;
  }
};

}  // namespace
}  // namespace simnas

SIMNAS_PLUGIN_VERSION_ENTRY()

const simnas::OpenCvRuntime* simnas_opencv_runtime() {
  static const simnas::Runtime runtime;
  return &runtime;
}
