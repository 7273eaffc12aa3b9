// Reading a latency from what a device program prints: simnas's own plain format, or the
// summary of the timing tools people already run on their devices.
//
//   plain                  the last non-empty line is a number of ms (optionally "ms" and a
//                          relative spread), or a JSON object with "latency_ms" (command_device.h)
//   json                   the last non-empty line is a JSON object with "latency_ms"
//   trtexec                TensorRT: "[I] Latency: min = ... ms, max = ..., mean = ..., median = ... ms, ..."
//   benchmark_app          OpenVINO: "[ INFO ] Latency:" then "[ INFO ]    Median:   20.64 ms" (or
//                          "Average:"), or older builds' "[ INFO ] Latency: 20.64 ms"
//   benchmark_model        TFLite: "Inference timings in us: ..., Inference (avg): 249684" and
//                          "count=50 ... avg=249684 std=1442" (µs)
//   onnxruntime_perf_test  "P50 Latency: 0.0604 s" (newer builds), else
//                          "Average inference time cost: 62.2935 ms"
//   auto                   plain first, then each tool's summary
// The median is taken where the tool prints one, else the mean; units µs/us, ms and s are
// converted to ms. A log holding several summaries (warm-up runs, then the timed one) is read at
// its last. A number with a decimal comma (a localized build: "median = 9,76404 ms") is refused,
// never read as another number or passed over for the mean. An output that does not match the
// format is refused with a DeviceError that quotes the first line that could not be read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/devices/device.h"

namespace simnas {

enum class OutputFormat { kAuto, kPlain, kJson, kTrtexec, kBenchmarkApp, kTfliteBenchmarkModel, kOrtPerfTest };

// "auto", "plain", "json", "trtexec", "benchmark_app", "benchmark_model", "onnxruntime_perf_test".
// Throws ParseError naming the accepted names.
OutputFormat ParseOutputFormat(std::string_view name);
std::string_view OutputFormatName(OutputFormat format);

// The measurement in a program's stdout. Throws DeviceError (without the device's name: the
// caller adds it) when the output does not match.
Measurement ParseDeviceOutput(const std::string& stdout_text, OutputFormat format);

// A timing tool's summary in `text` (for `auto`, any tool's), or nothing; for tools that print
// their summary on stderr (TFLite's benchmark_model does). Plain and JSON are never looked for.
std::optional<Measurement> FindToolSummary(const std::string& text, OutputFormat format);

}  // namespace simnas
