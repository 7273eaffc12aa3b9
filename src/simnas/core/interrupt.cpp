#include "simnas/core/interrupt.h"

#include <signal.h>

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

void (*volatile g_forward)(int) = nullptr;
int g_scope_depth = 0;
struct sigaction g_previous {};

extern "C" void OnSignalForwarding(int signal_number) {
  g_signals = 1;
  if (g_forward != nullptr) g_forward(signal_number);
}

}  // namespace

InterruptScope::InterruptScope(void (*forward)(int)) {
  if (g_scope_depth++ > 0) return;
  g_signals = 0;
  g_forward = forward;
  struct sigaction action {};
  action.sa_handler = OnSignalForwarding;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous);
}

InterruptScope::~InterruptScope() {
  if (--g_scope_depth > 0) return;
  sigaction(SIGINT, &g_previous, nullptr);
  g_forward = nullptr;
  g_signals = 0;
}

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
