// Cooperative interruption for long jobs (proxy tables, training, benchmarks, measure-all).
// InstallInterruptHandler() makes the first SIGINT/SIGTERM set a flag instead of killing the
// process; long loops poll InterruptRequested(), save their progress and throw Interrupted.
// A second signal kills the process at once.
#pragma once

namespace simnas {

void InstallInterruptHandler();

// For a front end that outlives an interruption (the Python module): while the outermost scope
// lives, SIGINT sets the request (InterruptRequested) and calls `forward(SIGINT)` (from the
// signal handler: it must be async-signal-safe) instead of ending the process on a second
// signal. On entry and exit the request is cleared; on exit the previous handler is back.
// Scopes nest (the inner ones change nothing); create and destroy them on one thread at a time.
class InterruptScope {
 public:
  explicit InterruptScope(void (*forward)(int signal_number));
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};
bool InterruptRequested();
// The first signal that requested the interrupt (SIGINT, SIGTERM), or 0.
int InterruptSignal();
// Throws Interrupted("<what> interrupted; progress is saved, <how_to_resume>") if requested.
void ThrowIfInterrupted(const char* what, const char* how_to_resume = "run the same command again to resume");

}  // namespace simnas
