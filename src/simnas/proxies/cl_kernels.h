// Element-wise kernels of the fast NASWOT forward on channels-last float maps, where a map
// is `pixels` rows (image, y, x) of `channels` values and row p starts at p * stride. They
// replace several small LibTorch ops (BatchNorm, the 3x3 average pool, node sums) by single
// passes that accumulate straight into the destination node. Torch-free.
#pragma once

#include <cstdint>

namespace simnas::kernels {

// Adds the per-channel sum and sum of squares over all rows to sum[c] and sum_sq[c]
// (BatchNorm's batch statistics).
void ChannelSums(const float* x, std::int64_t pixels, std::int64_t channels, std::int64_t stride, double* sum,
                 double* sum_sq);

// dst[p][c] (=, or += when accumulate) x[p][c] * scale[c] + shift[c]. dst rows are dense
// (stride `channels`).
void ScaleShift(const float* x, std::int64_t pixels, std::int64_t channels, std::int64_t stride, const float* scale,
                const float* shift, float* dst, bool accumulate);

// dst (=, or +=) x, `count` dense values.
void Copy(const float* x, std::int64_t count, float* dst, bool accumulate);

// dst (=, or +=) AvgPool2d(3, stride 1, padding 1, count_include_pad=False)(x) for `images`
// dense maps of height x width x channels.
void AvgPool3x3(const float* x, std::int64_t images, std::int64_t height, std::int64_t width, std::int64_t channels,
                float* dst, bool accumulate);

// dst = max(x, 0), `count` dense values.
void Relu(const float* x, std::int64_t count, float* dst);

}  // namespace simnas::kernels
