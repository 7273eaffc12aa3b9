// Running an external program without a shell: arguments are passed as given (an
// architecture string with '|' stays one argument), stdin is /dev/null, stdout and stderr
// are captured.
//
// Containment: the program runs in its own process group under a small guard process
// (a child subreaper). The result is read as soon as the program itself exits; then the
// guard kills the program's group and every process it left behind (background children
// holding stdout, even ones that called setsid), so nothing outlives the call. The guard
// does the same on timeout, on interrupt (SIGINT/SIGTERM, see core/interrupt.h), and when
// simnas itself dies, even by kill -9.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace simnas {

struct ProcessResult {
  bool started = false;      // false: the program could not be executed (see error)
  bool timed_out = false;    // killed after the timeout
  bool interrupted = false;  // killed because simnas was asked to stop (SIGINT/SIGTERM)
  int exit_code = -1;        // valid when the process exited normally
  int signal = 0;            // non-zero when the process was killed by a signal
  std::string out;           // captured stdout: its last 1 MiB (the end is where results are printed)
  std::string err;           // captured stderr: its first 1 MiB
  std::size_t out_bytes = 0;  // bytes printed on stdout in all (more than out.size() when cut)
  std::size_t err_bytes = 0;
  std::string error;         // why it could not start
  double seconds = 0;        // wall time
  bool out_cut() const { return out_bytes > out.size(); }
};

// At most this many bytes of each stream are kept.
inline constexpr std::size_t kMaxProcessCapture = std::size_t{1} << 20;

// `argv[0]` is looked up in PATH. Never throws for a failing program; inspect the result.
// Timeouts beyond 30 days are treated as 30 days.
ProcessResult RunProcess(const std::vector<std::string>& argv, double timeout_seconds);

// Runs `work` in a forked child of this process and waits for it: what it writes to files
// stays, what it allocates does not touch this process's heap. Throws Error with the message
// of what `work` threw, or saying how the child ended. `work` must not rely on other threads
// (the child has only the calling one).
void RunInChildProcess(const std::function<void()>& work);

}  // namespace simnas
