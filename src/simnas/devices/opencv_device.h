// `opencv[:threads=1,batch=1,input=32,...]`: this machine's CPU through a second runtime,
// OpenCV DNN (its own CPU kernels, not LibTorch). The architecture's network (a cell, an FBNet
// network) is exported to ONNX (network/cell_export.h; cached per architecture and options in
// <cache_dir>/onnx), loaded by OpenCV DNN in the OpenCV plugin (opencv_runtime.h; opened by the
// first measurement) and timed by the live devices' one timing harness
// (timing_harness.h), with the exported all-`none` cell as the reference network. Options are
// `local`'s (local_device.h). The fingerprint names the runtime and its version, threads, batch,
// input size and classes.
#pragma once

#include <memory>
#include <string>

#include "simnas/devices/device.h"
#include "simnas/devices/local_device.h"
#include "simnas/devices/timing_harness.h"

namespace simnas {

class OpenCvDevice : public Device {
 public:
  explicit OpenCvDevice(LocalOptions options = {});
  ~OpenCvDevice() override;

  std::string Spec() const override;
  std::string Fingerprint() const override;
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override;
  const LocalOptions& options() const { return options_; }

 private:
  LocalOptions options_;
  std::string machine_;
  struct Nets;
  std::unique_ptr<Nets> nets_;
  std::unique_ptr<TimingHarness> harness_;
};

// "OpenCV 4.6.0": the runtime and version the OpenCV plugin links (without opening it).
std::string OpenCvVersion();

}  // namespace simnas
