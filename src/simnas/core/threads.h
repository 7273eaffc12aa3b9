// The one place that sets how many threads LibTorch's intra-op pool and the BLAS use.
#pragma once

namespace simnas {

// Sets torch's intra-op thread count and (when the BLAS is OpenBLAS, whose idle workers spin
// and compete with the timed or computing thread) OpenBLAS's, for the object's lifetime;
// restores the previous torch count on destruction. threads < 1 changes nothing.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads);
  ~ScopedThreads();
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int saved_ = 0;  // 0: nothing to restore
};

// Sets the thread counts for the calling thread without restoring them (a worker thread that
// runs one job). threads < 1 changes nothing.
void SetComputeThreads(int threads);
// The BLAS pool alone (OpenBLAS only; no-op otherwise).
void SetBlasThreads(int threads);

}  // namespace simnas
