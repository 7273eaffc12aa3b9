#include "simnas/proxies/naswot_kernel.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>

#include <Eigen/Dense>

namespace simnas {
namespace {

// ---- Packing and popcount, with AVX-512 versions chosen at run time. ----

void PackPositiveScalar(const float* x, std::int64_t n, std::uint64_t* out) {
  for (std::int64_t w = 0; w < n / 64; ++w) {
    std::uint64_t word = 0;
    const float* p = x + 64 * w;
    for (int b = 0; b < 64; ++b) word |= static_cast<std::uint64_t>(p[b] > 0.0f) << b;
    out[w] = word;
  }
}

__attribute__((target("avx512f"))) void PackPositiveAvx512(const float* x, std::int64_t n, std::uint64_t* out) {
  const __m512 zero = _mm512_setzero_ps();
  for (std::int64_t w = 0; w < n / 64; ++w) {
    const float* p = x + 64 * w;
    const std::uint64_t m0 = _mm512_cmp_ps_mask(_mm512_loadu_ps(p), zero, _CMP_GT_OQ);
    const std::uint64_t m1 = _mm512_cmp_ps_mask(_mm512_loadu_ps(p + 16), zero, _CMP_GT_OQ);
    const std::uint64_t m2 = _mm512_cmp_ps_mask(_mm512_loadu_ps(p + 32), zero, _CMP_GT_OQ);
    const std::uint64_t m3 = _mm512_cmp_ps_mask(_mm512_loadu_ps(p + 48), zero, _CMP_GT_OQ);
    out[w] = m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
  }
}

__attribute__((target("popcnt"))) std::int64_t HammingScalar(const std::uint64_t* a, const std::uint64_t* b,
                                                             std::int64_t words) {
  std::int64_t count = 0;
  for (std::int64_t w = 0; w < words; ++w) count += __builtin_popcountll(a[w] ^ b[w]);
  return count;
}

__attribute__((target("avx512f,avx512vpopcntdq"))) std::int64_t HammingAvx512(const std::uint64_t* a,
                                                                               const std::uint64_t* b,
                                                                               std::int64_t words) {
  __m512i acc = _mm512_setzero_si512();
  std::int64_t w = 0;
  for (; w + 8 <= words; w += 8) {
    const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + w), _mm512_loadu_si512(b + w));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  // (_mm512_reduce_add_epi64 trips GCC 12's -Wuninitialized inside its own header.)
  alignas(64) std::int64_t lanes[8];
  _mm512_store_si512(lanes, acc);
  std::int64_t count = 0;
  for (std::int64_t lane : lanes) count += lane;
  for (; w < words; ++w) count += __builtin_popcountll(a[w] ^ b[w]);
  return count;
}

struct Kernels {
  void (*pack)(const float*, std::int64_t, std::uint64_t*) = PackPositiveScalar;
  std::int64_t (*hamming)(const std::uint64_t*, const std::uint64_t*, std::int64_t) = HammingScalar;
  Kernels() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) pack = PackPositiveAvx512;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq")) hamming = HammingAvx512;
  }
};

const Kernels& Dispatch() {
  static const Kernels kernels;
  return kernels;
}

// ---- Exact singularity test: elimination modulo a prime. ----

using u64 = std::uint64_t;
using u128 = unsigned __int128;

u64 MulMod(u64 a, u64 b, u64 p) { return static_cast<u64>(static_cast<u128>(a) * b % p); }

u64 PowMod(u64 a, u64 e, u64 p) {
  u64 r = 1;
  while (e > 0) {
    if (e & 1) r = MulMod(r, a, p);
    a = MulMod(a, a, p);
    e >>= 1;
  }
  return r;
}

// True when det(K) != 0 mod p (then det(K) != 0 over the integers).
bool FullRankModulo(const std::vector<std::int64_t>& k, int n, u64 p) {
  std::vector<u64> a(k.size());
  for (std::size_t i = 0; i < k.size(); ++i) {
    const std::int64_t r = k[i] % static_cast<std::int64_t>(p);
    a[i] = static_cast<u64>(r < 0 ? r + static_cast<std::int64_t>(p) : r);
  }
  const auto at = [&](int r, int c) -> u64& { return a[static_cast<std::size_t>(r) * n + c]; };
  for (int c = 0; c < n; ++c) {
    int pivot = c;
    while (pivot < n && at(pivot, c) == 0) ++pivot;
    if (pivot == n) return false;
    if (pivot != c) {
      for (int j = 0; j < n; ++j) std::swap(at(pivot, j), at(c, j));
    }
    const u64 inv = PowMod(at(c, c), p - 2, p);
    for (int r = c + 1; r < n; ++r) {
      if (at(r, c) == 0) continue;
      const u64 f = MulMod(at(r, c), inv, p);
      for (int j = c; j < n; ++j) at(r, j) = (at(r, j) + p - MulMod(f, at(c, j), p)) % p;
    }
  }
  return true;
}

}  // namespace

void SerialFor(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) { body(0, n); }

void PackPositive(const float* x, std::int64_t n, std::uint64_t* out) { Dispatch().pack(x, n, out); }

NaswotCodes::NaswotCodes(int images) : images_(images) {
  if (images < 1) throw std::invalid_argument("NaswotCodes: need at least one image");
}

void NaswotCodes::Add(const float* data, std::int64_t per_image, std::int64_t row_stride, int multiplicity,
                      const ParallelFor& parallel) {
  if (multiplicity < 1) return;
  if (rows_.size() < static_cast<std::size_t>(multiplicity)) rows_.resize(static_cast<std::size_t>(multiplicity));
  auto& rows = rows_[static_cast<std::size_t>(multiplicity - 1)];
  if (rows.empty()) rows.resize(static_cast<std::size_t>(images_));
  // Whole words, then a last word whose unused bits are 0 for every image (they never disagree).
  const std::int64_t full = per_image / 64;
  const std::int64_t tail = per_image % 64;
  const std::int64_t words = full + (tail > 0 ? 1 : 0);
  const std::size_t offset = rows[0].size();
  for (auto& row : rows) row.resize(offset + static_cast<std::size_t>(words));
  parallel(images_, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float* x = data + i * row_stride;
      std::uint64_t* out = rows[static_cast<std::size_t>(i)].data() + offset;
      PackPositive(x, full * 64, out);
      if (tail > 0) {
        std::uint64_t word = 0;
        for (std::int64_t b = 0; b < tail; ++b) word |= static_cast<std::uint64_t>(x[full * 64 + b] > 0.0f) << b;
        out[full] = word;
      }
    }
  });
  positions_ += per_image * multiplicity;
}

void NaswotCodes::AddZero(std::int64_t per_image, int multiplicity) {
  if (multiplicity < 1) return;
  constant_ += per_image * multiplicity;
  positions_ += per_image * multiplicity;
}

std::vector<std::int64_t> NaswotCodes::Kernel(const ParallelFor& parallel) const {
  const int n = images_;
  const std::size_t pairs = static_cast<std::size_t>(n) * n;
  std::vector<std::int64_t> k(pairs, 0);
  // Disagreements summed with their multiplicities; blocks of words keep all rows in cache.
  constexpr std::int64_t kBlock = 512;
  std::mutex mutex;
  for (std::size_t m = 0; m < rows_.size(); ++m) {
    const auto& rows = rows_[m];
    if (rows.empty()) continue;
    const auto words = static_cast<std::int64_t>(rows[0].size());
    const std::int64_t blocks = (words + kBlock - 1) / kBlock;
    const auto weight = static_cast<std::int64_t>(m + 1);
    parallel(blocks, [&](std::int64_t begin, std::int64_t end) {
      std::vector<std::int64_t> local(pairs, 0);
      for (std::int64_t b = begin; b < end; ++b) {
        const std::int64_t w0 = b * kBlock;
        const std::int64_t len = std::min(kBlock, words - w0);
        for (int i = 0; i < n; ++i) {
          const std::uint64_t* a = rows[static_cast<std::size_t>(i)].data() + w0;
          for (int j = i + 1; j < n; ++j) {
            local[static_cast<std::size_t>(i) * n + j] +=
                Dispatch().hamming(a, rows[static_cast<std::size_t>(j)].data() + w0, len);
          }
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (std::size_t p = 0; p < pairs; ++p) k[p] += weight * local[p];
    });
  }
  // k holds weighted disagreements above the diagonal; agreements = positions - disagreements.
  for (int i = 0; i < n; ++i) {
    k[static_cast<std::size_t>(i) * n + i] = positions_;
    for (int j = i + 1; j < n; ++j) {
      const std::int64_t agree = positions_ - k[static_cast<std::size_t>(i) * n + j];
      k[static_cast<std::size_t>(i) * n + j] = agree;
      k[static_cast<std::size_t>(j) * n + i] = agree;
    }
  }
  return k;
}

double LogAbsDet(const std::vector<std::int64_t>& k, int n) {
  if (k.size() != static_cast<std::size_t>(n) * n) throw std::invalid_argument("LogAbsDet: matrix size mismatch");
  // det == 0 over the integers implies det == 0 modulo every prime; two Mersenne primes make
  // a false "singular" (det a nonzero multiple of both) practically impossible.
  if (!FullRankModulo(k, n, 2147483647ULL) && !FullRankModulo(k, n, 2305843009213693951ULL)) {
    return -std::numeric_limits<double>::infinity();
  }
  Eigen::MatrixXd m(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) m(i, j) = static_cast<double>(k[static_cast<std::size_t>(i) * n + j]);
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(m);
  const Eigen::MatrixXd& u = lu.matrixLU();
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::log(std::abs(u(i, i)));
  return sum;
}

}  // namespace simnas
