#include "simnas/core/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace simnas {

double Mean(std::span<const double> x) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double StdDev(std::span<const double> x) {
  if (x.size() < 2) return 0.0;
  const double m = Mean(x);
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

double Median(std::vector<double> x) { return Percentile(std::move(x), 50.0); }

double Percentile(std::vector<double> x, double q) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(x.begin(), x.end());
  const double pos = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(x.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return x[lo] + (x[hi] - x[lo]) * frac;
}

double PercentileRank(std::span<const double> sorted_population, double value) {
  if (sorted_population.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto it = std::upper_bound(sorted_population.begin(), sorted_population.end(), value);
  return static_cast<double>(it - sorted_population.begin()) / static_cast<double>(sorted_population.size());
}

std::vector<double> Ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

double Pearson(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("Pearson: sizes differ");
  if (x.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mx = Mean(x), my = Mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

double Spearman(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("Spearman: sizes differ");
  const std::vector<double> rx = Ranks(x), ry = Ranks(y);
  return Pearson(rx, ry);
}

double RSquared(std::span<const double> predicted, std::span<const double> actual) {
  if (predicted.size() != actual.size()) throw std::invalid_argument("RSquared: sizes differ");
  if (actual.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = Mean(actual);
  double res = 0, tot = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    res += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
    tot += (actual[i] - mean) * (actual[i] - mean);
  }
  if (tot == 0) return std::numeric_limits<double>::quiet_NaN();
  return 1 - res / tot;
}

namespace {

// Counts inversions of `v` while merge-sorting it (used for discordant pairs).
std::int64_t MergeCountSwaps(std::vector<double>& v, std::vector<double>& buf, std::size_t lo, std::size_t hi) {
  if (hi - lo < 2) return 0;
  const std::size_t mid = (lo + hi) / 2;
  std::int64_t swaps = MergeCountSwaps(v, buf, lo, mid) + MergeCountSwaps(v, buf, mid, hi);
  std::size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (v[j] < v[i]) {
      swaps += static_cast<std::int64_t>(mid - i);
      buf[k++] = v[j++];
    } else {
      buf[k++] = v[i++];
    }
  }
  while (i < mid) buf[k++] = v[i++];
  while (j < hi) buf[k++] = v[j++];
  std::copy(buf.begin() + static_cast<std::ptrdiff_t>(lo), buf.begin() + static_cast<std::ptrdiff_t>(hi),
            v.begin() + static_cast<std::ptrdiff_t>(lo));
  return swaps;
}

// Number of tied pairs in a sorted sequence.
template <typename Eq>
std::int64_t TiedPairs(std::size_t n, Eq equal) {
  std::int64_t pairs = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && equal(i, j)) ++j;
    const auto run = static_cast<std::int64_t>(j - i);
    pairs += run * (run - 1) / 2;
    i = j;
  }
  return pairs;
}

}  // namespace

double KendallTau(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("KendallTau: sizes differ");
  const std::size_t n = x.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]);
  });
  const auto n_pairs = static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - 1) / 2;
  const std::int64_t ties_x = TiedPairs(n, [&](std::size_t a, std::size_t b) { return x[order[a]] == x[order[b]]; });
  const std::int64_t ties_xy = TiedPairs(n, [&](std::size_t a, std::size_t b) {
    return x[order[a]] == x[order[b]] && y[order[a]] == y[order[b]];
  });
  std::vector<double> ys(n), buf(n);
  for (std::size_t i = 0; i < n; ++i) ys[i] = y[order[i]];
  const std::int64_t swaps = MergeCountSwaps(ys, buf, 0, n);
  const std::int64_t ties_y = TiedPairs(n, [&](std::size_t a, std::size_t b) { return ys[a] == ys[b]; });
  const double concordant_minus_discordant =
      static_cast<double>(n_pairs - ties_x - ties_y + ties_xy - 2 * swaps);
  const double denom = std::sqrt(static_cast<double>(n_pairs - ties_x) * static_cast<double>(n_pairs - ties_y));
  if (denom == 0) return std::numeric_limits<double>::quiet_NaN();
  return concordant_minus_discordant / denom;
}

}  // namespace simnas
