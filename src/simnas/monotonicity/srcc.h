// Latency monotonicity (One Proxy Device, Sec. 3.3 and 4): how well the latency ranking of
// cells on one device predicts the ranking on another, measured by Spearman's rank
// correlation (SRCC) over the cells both devices know.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "simnas/data/latency_table.h"

namespace simnas {

// SRCC between every pair of devices, each pair over the cells both devices answer.
struct SrccMatrix {
  std::vector<std::string> devices;
  std::vector<std::vector<double>> srcc;  // symmetric, 1 on the diagonal
  int cells = 0;                          // cells every device answers
  int total = 0;                          // cells given (the length of each latency vector)
  std::vector<int> answered;              // per device, the cells it answers
  std::vector<std::vector<int>> pair_cells;  // cells behind entry (i, j): those both devices answer

  // Whether every device answers every cell (every entry is over the same `total` cells).
  bool complete() const { return cells == total; }

  double At(std::size_t i, std::size_t j) const { return srcc[i][j]; }
  // Mean SRCC of device i to every other device.
  double MeanToOthers(std::size_t i) const;
};

// `latencies[d]` holds device d's latencies of the same cells in the same order (all vectors the
// same length), NaN for a cell device d does not answer. Entry (i, j) is the SRCC over the cells
// both answer (at least 3). Throws Error naming the device (or the pair) otherwise.
SrccMatrix ComputeSrccMatrix(const std::vector<std::string>& devices,
                             const std::vector<std::vector<double>>& latencies);

// The SRCC estimated from k cells drawn without replacement (the same cells on both
// devices), repeated: paper Fig. 11(b)(c).
struct SrccEstimate {
  int k = 0;
  int repeats = 0;
  double mean = 0;
  double stddev = 0;
};
// The latencies of the cells both devices answer (neither is NaN), in order. Throws Error when
// the lengths differ.
std::pair<std::vector<double>, std::vector<double>> BothAnswered(std::span<const double> a, std::span<const double> b);

SrccEstimate EstimateSrccFromSample(std::span<const double> a, std::span<const double> b, int k, int repeats,
                                    std::uint64_t seed);

// The proxy device among `tables` (complete tables): the one with the best mean SRCC to the
// others over all cells (Sec. 5.3.1). Ties go to the first. Needs at least two tables.
std::size_t ChooseProxyDevice(const std::vector<const LatencyTable*>& tables);

}  // namespace simnas
