// `cmd:'PROGRAM ARGS {arch}'`: any external program that prints a latency in milliseconds —
// how users reach their own board (e.g. over ssh). The program runs without a shell; the
// placeholders {arch} (the architecture string, passed as one argument) and {index} (its
// NATS-Bench index) are substituted inside arguments. {arch_sh} is the architecture string
// quoted for a POSIX shell, for programs that hand their arguments to a remote shell:
// `cmd:ssh board /opt/time.sh {arch_sh}` (OpenSSH joins its arguments and runs them with
// `sh -c`, which would split a bare {arch} at every '|').
//
// Output: the last non-empty line of stdout must be a latency: a number, optionally
// followed by "ms" and/or a second number (the relative spread), or a JSON object with
// "latency_ms" (and optionally "spread", "repeats"). A timeout, a non-zero exit, or any
// other output is a failure; failures are retried, then reported as a DeviceError.
// Numbers are read in plain decimal only ("0x10", "inf" are refused) and a latency outside
// [kMinLatencyMs, kMaxLatencyMs] is refused as implausible. Output beyond 1 MiB is cut (the
// last 1 MiB is read) and an error says so. A Ctrl-C during a call kills the program
// (see core/subprocess.h) and throws Interrupted.
#pragma once

#include <string>
#include <vector>

#include "simnas/devices/device.h"
#include "simnas/search_space/search_space.h"

namespace simnas {

inline constexpr double kMinLatencyMs = 1e-6;  // 1 ns
inline constexpr double kMaxLatencyMs = 1e6;   // 1000 s for one inference

struct CommandOptions {
  double timeout_seconds = 300;
  int retries = 2;  // extra attempts after a failure
};

class CommandDevice : public Device {
 public:
  // `command` is the text after "cmd:". Throws ParseError if it is empty, has an
  // unterminated quote, or lacks an {arch} or {index} placeholder.
  CommandDevice(std::string command, const SearchSpace& space, CommandOptions options = {},
                std::string name = "");

  std::string Spec() const override { return "cmd:" + command_; }
  std::string Fingerprint() const override;
  bool IsLive() const override { return true; }
  Measurement Measure(const Cell& cell) override;

 private:
  std::string command_;
  std::vector<std::string> argv_template_;
  const SearchSpace* space_;
  CommandOptions options_;
  std::string name_;
};

// Parses a program's stdout as a measurement; throws DeviceError describing the problem.
Measurement ParseLatencyOutput(const std::string& stdout_text);

}  // namespace simnas
