#include "simnas/proxies/cl_kernels.h"

#include <algorithm>
#include <vector>

// Each kernel is compiled for AVX-512, AVX2 and baseline x86-64; the loader picks one.
#define SIMNAS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

namespace simnas::kernels {

SIMNAS_CLONES void ChannelSums(const float* x, std::int64_t pixels, std::int64_t channels, std::int64_t stride,
                               double* sum, double* sum_sq) {
  // Float partial sums over blocks of rows, added up in double: accurate and vectorizable.
  constexpr std::int64_t kBlock = 128;
  std::vector<float> s(static_cast<std::size_t>(channels)), q(static_cast<std::size_t>(channels));
  for (std::int64_t p0 = 0; p0 < pixels; p0 += kBlock) {
    std::fill(s.begin(), s.end(), 0.0f);
    std::fill(q.begin(), q.end(), 0.0f);
    const std::int64_t p1 = std::min(pixels, p0 + kBlock);
    for (std::int64_t p = p0; p < p1; ++p) {
      const float* row = x + p * stride;
      for (std::int64_t c = 0; c < channels; ++c) {
        s[static_cast<std::size_t>(c)] += row[c];
        q[static_cast<std::size_t>(c)] += row[c] * row[c];
      }
    }
    for (std::int64_t c = 0; c < channels; ++c) {
      sum[c] += s[static_cast<std::size_t>(c)];
      sum_sq[c] += q[static_cast<std::size_t>(c)];
    }
  }
}

SIMNAS_CLONES void ScaleShift(const float* x, std::int64_t pixels, std::int64_t channels, std::int64_t stride,
                              const float* scale, const float* shift, float* dst, bool accumulate) {
  for (std::int64_t p = 0; p < pixels; ++p) {
    const float* row = x + p * stride;
    float* out = dst + p * channels;
    if (accumulate) {
      for (std::int64_t c = 0; c < channels; ++c) out[c] += row[c] * scale[c] + shift[c];
    } else {
      for (std::int64_t c = 0; c < channels; ++c) out[c] = row[c] * scale[c] + shift[c];
    }
  }
}

SIMNAS_CLONES void Copy(const float* x, std::int64_t count, float* dst, bool accumulate) {
  if (accumulate) {
    for (std::int64_t i = 0; i < count; ++i) dst[i] += x[i];
  } else {
    std::copy(x, x + count, dst);
  }
}

SIMNAS_CLONES void AvgPool3x3(const float* x, std::int64_t images, std::int64_t height, std::int64_t width,
                              std::int64_t channels, float* dst, bool accumulate) {
  const std::int64_t row_len = width * channels;
  // Horizontal sums of three (fewer at the borders) for one image at a time.
  std::vector<float> horizontal(static_cast<std::size_t>(height * row_len));
  for (std::int64_t n = 0; n < images; ++n) {
    const float* in = x + n * height * row_len;
    float* out = dst + n * height * row_len;
    for (std::int64_t y = 0; y < height; ++y) {
      const float* r = in + y * row_len;
      float* hrow = horizontal.data() + y * row_len;
      for (std::int64_t xx = 0; xx < width; ++xx) {
        const float* center = r + xx * channels;
        float* h = hrow + xx * channels;
        for (std::int64_t c = 0; c < channels; ++c) h[c] = center[c];
        if (xx > 0) {
          for (std::int64_t c = 0; c < channels; ++c) h[c] += center[c - channels];
        }
        if (xx + 1 < width) {
          for (std::int64_t c = 0; c < channels; ++c) h[c] += center[c + channels];
        }
      }
    }
    for (std::int64_t y = 0; y < height; ++y) {
      const std::int64_t rows = 1 + (y > 0 ? 1 : 0) + (y + 1 < height ? 1 : 0);
      const float* mid = horizontal.data() + y * row_len;
      const float* up = y > 0 ? mid - row_len : nullptr;
      const float* down = y + 1 < height ? mid + row_len : nullptr;
      float* o = out + y * row_len;
      for (std::int64_t xx = 0; xx < width; ++xx) {
        const std::int64_t cols = 1 + (xx > 0 ? 1 : 0) + (xx + 1 < width ? 1 : 0);
        const auto count = static_cast<float>(rows * cols);
        const std::int64_t base = xx * channels;
        for (std::int64_t c = 0; c < channels; ++c) {
          float s = mid[base + c];
          if (up != nullptr) s += up[base + c];
          if (down != nullptr) s += down[base + c];
          if (accumulate) {
            o[base + c] += s / count;
          } else {
            o[base + c] = s / count;
          }
        }
      }
    }
  }
}

SIMNAS_CLONES void Relu(const float* x, std::int64_t count, float* dst) {
  for (std::int64_t i = 0; i < count; ++i) dst[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

}  // namespace simnas::kernels
