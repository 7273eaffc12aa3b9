// Running an external program without a shell: arguments are passed as given (an
// architecture string with '|' stays one argument), stdin is /dev/null, stdout and stderr
// are captured, and the whole process group is killed when the timeout expires.
#pragma once

#include <string>
#include <vector>

namespace simnas {

struct ProcessResult {
  bool started = false;    // false: the program could not be executed (see error)
  bool timed_out = false;  // killed after the timeout
  int exit_code = -1;      // valid when the process exited normally
  int signal = 0;          // non-zero when the process was killed by a signal
  std::string out;         // captured stdout (at most 1 MiB)
  std::string err;         // captured stderr (at most 1 MiB)
  std::string error;       // why it could not start
  double seconds = 0;      // wall time
};

// `argv[0]` is looked up in PATH. Never throws for a failing program; inspect the result.
ProcessResult RunProcess(const std::vector<std::string>& argv, double timeout_seconds);

}  // namespace simnas
