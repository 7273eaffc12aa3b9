#include "simnas/core/threads.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>

namespace simnas {

void SetBlasThreads(int threads) {
  using SetThreads = void (*)(int);
  static const auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set != nullptr && threads >= 1) set(threads);
}

void SetComputeThreads(int threads) {
  if (threads < 1) return;
  at::set_num_threads(threads);
  SetBlasThreads(threads);
}

ScopedThreads::ScopedThreads(int threads) {
  if (threads < 1) return;
  saved_ = at::get_num_threads();
  SetComputeThreads(threads);
}

ScopedThreads::~ScopedThreads() {
  if (saved_ > 0) SetComputeThreads(saved_);
}

}  // namespace simnas
