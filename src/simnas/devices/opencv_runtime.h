// The narrow interface between the `opencv` device (opencv_device.h) and OpenCV DNN, which lives
// in the plugin libsimnas_opencv.so (opencv_runtime_opencv.cpp) so that only a process that
// uses the device loads OpenCV. Nothing here includes OpenCV.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace simnas {

// One ONNX network loaded into OpenCV DNN (CPU backend), with its own fixed input.
class OpenCvNetwork {
 public:
  virtual ~OpenCvNetwork() = default;
  // One forward pass on the network's input. Throws simnas::Error with OpenCV's reason.
  virtual void Forward() = 0;
};

class OpenCvRuntime {
 public:
  virtual ~OpenCvRuntime() = default;
  // The network in the ONNX file `onnx`, fed a tensor of `input_shape` (N, C, H, W) drawn from
  // a standard normal with a fixed seed (every network of a shape gets the same input). Throws
  // simnas::Error naming the file when OpenCV cannot read it.
  virtual std::unique_ptr<OpenCvNetwork> Load(const std::filesystem::path& onnx,
                                              const std::vector<int>& input_shape) const = 0;
  // OpenCV's thread count for the whole process; returns the previous one.
  virtual int SetThreads(int threads) const = 0;
};

// The runtime, from the plugin opened on first use. Throws PluginError naming the plugin file
// when it is missing or cannot be loaded.
const OpenCvRuntime& OpenCv();

}  // namespace simnas

// The plugin's entry point: its runtime (a static object of the plugin).
extern "C" const simnas::OpenCvRuntime* simnas_opencv_runtime();
