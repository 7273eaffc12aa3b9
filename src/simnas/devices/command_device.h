// `cmd:'PROGRAM ARGS {arch}'`: any external program that prints a latency in milliseconds —
// how users reach their own board (e.g. over ssh). The program runs without a shell; the
// placeholders {arch} (the architecture string, passed as one argument), {index} (its
// index in the space's numbering, e.g. the NATS-Bench index; an architecture outside the
// numbering is refused) and {onnx} (the path of the architecture's network as an ONNX file,
// exported on
// demand with CommandOptions::export_options and cached in <cache_dir>/onnx) are
// substituted inside arguments. {arch_sh} is the architecture string quoted for a POSIX
// shell, for programs that hand their arguments to a remote shell:
// `cmd:ssh board /opt/time.sh {arch_sh}` (OpenSSH joins its arguments and runs them with
// `sh -c`, which would split a bare {arch} at every '|').
//
// Output (CommandOptions::format, output_formats.h): by default (`auto`) the last non-empty
// line of stdout as a latency: a number, optionally followed by "ms" and/or a second number
// (the relative spread), or a JSON object with "latency_ms" (and optionally "spread",
// "repeats"); else the summary of trtexec, benchmark_app, benchmark_model or
// onnxruntime_perf_test. A timeout, a non-zero exit, or any other output is a failure;
// failures are retried, then reported as a DeviceError.
// What could be read two ways is refused, never guessed: a spread outside [0,
// kMaxPrintedSpread] (written as a fraction, "0.05", or a percentage, "5%"; a larger one is
// more likely a standard deviation in ms, or a timing too noisy to store), a JSON key given
// twice, a number with a decimal comma ("9,76").
// Numbers are read in plain decimal only ("0x10", "inf" are refused) and a latency outside
// [kMinLatencyMs, kMaxLatencyMs] is refused as implausible (core/latency_value.h, the rule
// table files follow too). Output beyond 1 MiB is cut (the
// last 1 MiB is read) and an error says so. A Ctrl-C during a call kills the program
// (see core/subprocess.h) and throws Interrupted.
#pragma once

#include <string>
#include <vector>

#include "simnas/core/latency_value.h"
#include "simnas/devices/device.h"
#include "simnas/devices/output_formats.h"
#include "simnas/space/arch_export.h"
#include "simnas/space/candidates.h"

namespace simnas {

struct CommandOptions {
  double timeout_seconds = 300;
  int retries = 2;  // extra attempts after a failure
  OutputFormat format = OutputFormat::kAuto;
  ExportOptions export_options;      // the model behind {onnx}
  std::filesystem::path cache_dir;   // where {onnx} models are kept (empty: a temp folder)
};

class CommandDevice : public Device {
 public:
  // `command` is the text after "cmd:". Throws ParseError if it is empty, has an
  // unterminated quote, or lacks an {arch}, {index} or {onnx} placeholder.
  // `numbering` numbers the architectures for {index} and must outlive the device.
  CommandDevice(std::string command, const CandidateSet& numbering, CommandOptions options = {},
                std::string name = "");

  std::string Spec() const override { return "cmd:" + command_; }
  std::string Fingerprint() const override;
  bool IsLive() const override { return true; }
  Measurement Measure(const Arch& arch) override;

 private:
  std::string command_;
  std::vector<std::string> argv_template_;
  const CandidateSet* numbering_;
  bool uses_index_ = false;
  CommandOptions options_;
  std::string name_;
  bool uses_onnx_ = false;
};

// The largest relative spread (interquartile range / median) a device may report.
inline constexpr double kMaxPrintedSpread = 0.5;

// Parses a program's stdout as a measurement; throws DeviceError describing the problem.
Measurement ParseLatencyOutput(const std::string& stdout_text);

// Why `spread` is not a relative spread a device may report, or an empty string.
std::string SpreadProblem(double spread);

}  // namespace simnas
