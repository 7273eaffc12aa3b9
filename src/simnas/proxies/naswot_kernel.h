// The NASWOT kernel matrix (Mellor et al. 2021) from binary ReLU codes, without float
// matrix products: codes are packed 64 to a word and K[i][j] (the number of positions where
// images i and j agree) is counted with popcount. Torch-free.
//
// Identical ReLU inputs (several conv edges reading the same cell node) are added once with
// a multiplicity: each of those ReLU modules contributes its codes, as in the reference.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace simnas {

// Runs body(begin, end) over sub-ranges of [0, n), possibly in parallel.
using ParallelFor =
    std::function<void(std::int64_t n, const std::function<void(std::int64_t begin, std::int64_t end)>& body)>;
// Runs body(0, n) on the calling thread.
void SerialFor(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body);

class NaswotCodes {
 public:
  explicit NaswotCodes(int images);

  int images() const { return images_; }
  // Adds the codes (x > 0) of one ReLU input, `images` rows of `per_image` floats, row i at
  // data + i * row_stride (any `per_image`; a multiple of 64 packs without a partial word).
  // `multiplicity` = how many ReLU modules read this same tensor.
  void Add(const float* data, std::int64_t per_image, std::int64_t row_stride, int multiplicity,
           const ParallelFor& parallel = SerialFor);
  // Adds a ReLU input that is identically zero: every pair of images agrees everywhere.
  void AddZero(std::int64_t per_image, int multiplicity);

  // Total number of code positions (sum of per_image times multiplicity).
  std::int64_t positions() const { return positions_; }

  // K, images x images, row-major: K[i][j] = number of positions where i and j agree.
  std::vector<std::int64_t> Kernel(const ParallelFor& parallel = SerialFor) const;

 private:
  int images_;
  std::int64_t positions_ = 0;
  std::int64_t constant_ = 0;  // agreements every pair has (zero inputs)
  // Packed codes by multiplicity (index m - 1): row i holds image i's words.
  std::vector<std::vector<std::vector<std::uint64_t>>> rows_;
};

// log|det K| of a symmetric integer matrix (n x n, row-major): -inf exactly when K is
// singular (decided by exact elimination modulo two large primes), else the log of the
// absolute determinant from a partially pivoted LU in double precision.
double LogAbsDet(const std::vector<std::int64_t>& k, int n);

// Packs (x > 0) of n floats (n a multiple of 64) into n / 64 words; bit b of word w is element 64w + b.
void PackPositive(const float* x, std::int64_t n, std::uint64_t* out);

}  // namespace simnas
