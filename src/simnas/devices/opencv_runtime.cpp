#include "simnas/devices/opencv_runtime.h"

#include "simnas/core/plugin.h"

namespace simnas {

const OpenCvRuntime& OpenCv() {
  static const OpenCvRuntime* runtime =
      reinterpret_cast<decltype(&simnas_opencv_runtime)>(PluginSymbol("opencv", "simnas_opencv_runtime"))();
  return *runtime;
}

}  // namespace simnas
