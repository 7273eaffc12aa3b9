// Latency monotonicity (One Proxy Device, Sec. 3.3 and 4): how well the latency ranking of
// cells on one device predicts the ranking on another, measured by Spearman's rank
// correlation (SRCC) over the cells both devices know.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "simnas/data/latency_table.h"

namespace simnas {

// SRCC between every pair of devices over the same cells.
struct SrccMatrix {
  std::vector<std::string> devices;
  std::vector<std::vector<double>> srcc;  // symmetric, 1 on the diagonal
  int cells = 0;                          // cells behind every entry

  double At(std::size_t i, std::size_t j) const { return srcc[i][j]; }
  // Mean SRCC of device i to every other device.
  double MeanToOthers(std::size_t i) const;
};

// `latencies[d]` holds device d's latencies of the same cells in the same order (at least 3
// cells, all vectors the same length). Throws Error naming the device otherwise.
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
SrccEstimate EstimateSrccFromSample(std::span<const double> a, std::span<const double> b, int k, int repeats,
                                    std::uint64_t seed);

// The proxy device among `tables` (complete tables): the one with the best mean SRCC to the
// others over all cells (Sec. 5.3.1). Ties go to the first. Needs at least two tables.
std::size_t ChooseProxyDevice(const std::vector<const LatencyTable*>& tables);

}  // namespace simnas
