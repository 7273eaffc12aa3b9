// Cooperative interruption for long jobs (proxy tables, training, benchmarks, measure-all).
// InstallInterruptHandler() makes the first SIGINT/SIGTERM set a flag instead of killing the
// process; long loops poll InterruptRequested(), save their progress and throw Interrupted.
// A second signal kills the process at once.
#pragma once

namespace simnas {

void InstallInterruptHandler();
bool InterruptRequested();
// The first signal that requested the interrupt (SIGINT, SIGTERM), or 0.
int InterruptSignal();
// Throws Interrupted("<what> interrupted; progress is saved, <how_to_resume>") if requested.
void ThrowIfInterrupted(const char* what, const char* how_to_resume = "run the same command again to resume");

}  // namespace simnas
