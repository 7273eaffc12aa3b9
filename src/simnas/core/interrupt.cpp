#include "simnas/core/interrupt.h"

#include <csignal>
#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

volatile std::sig_atomic_t g_signals = 0;
volatile std::sig_atomic_t g_first_signal = 0;

extern "C" void OnSignal(int signal_number) {
  if (g_signals == 0) g_first_signal = signal_number;
  g_signals = g_signals + 1;
  if (g_signals > 1) {
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
  }
}

}  // namespace

void InstallInterruptHandler() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

bool InterruptRequested() { return g_signals > 0; }

int InterruptSignal() { return g_signals > 0 ? static_cast<int>(g_first_signal) : 0; }

void ThrowIfInterrupted(const char* what, const char* how_to_resume) {
  if (InterruptRequested()) {
    throw Interrupted(fmt::format("{} interrupted; progress is saved, {}", what, how_to_resume));
  }
}

}  // namespace simnas
