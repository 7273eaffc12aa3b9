// Statistics used across simnas: rank correlations (Spearman, Kendall tau-b), medians,
// percentiles. Pure functions on vectors, no dependencies.
#pragma once

#include <algorithm>
#include <limits>
#include <span>
#include <vector>

namespace simnas {

double Mean(std::span<const double> x);
double StdDev(std::span<const double> x);  // sample standard deviation (n - 1)
double Median(std::vector<double> x);      // by value: sorts its copy
// Linear-interpolated percentile, q in [0, 100].
double Percentile(std::vector<double> x, double q);
// Fraction of `population` that is <= value, in [0, 1] (the latency percentile of a cell).
double PercentileRank(std::span<const double> sorted_population, double value);

// Average ranks (1-based), ties get the mean of their ranks.
std::vector<double> Ranks(std::span<const double> x);
double Pearson(std::span<const double> x, std::span<const double> y);
// Coefficient of determination of `predicted` for `actual`: 1 - SS_res / SS_tot (NaN when
// `actual` is constant or has fewer than two values).
double RSquared(std::span<const double> predicted, std::span<const double> actual);
// Spearman rank correlation (Pearson on average ranks).
double Spearman(std::span<const double> x, std::span<const double> y);
// Kendall tau-b, O(n log n) (Knight's algorithm); handles ties in both variables.
double KendallTau(std::span<const double> x, std::span<const double> y);

// Smallest and largest of key(item) over `items`; lo = +inf and hi = -inf when there is none.
struct ValueRange {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
};
template <class Items, class Key>
ValueRange RangeOf(const Items& items, Key key) {
  ValueRange m;
  for (const auto& item : items) {
    const double v = key(item);
    m.lo = std::min(m.lo, v);
    m.hi = std::max(m.hi, v);
  }
  return m;
}

}  // namespace simnas
