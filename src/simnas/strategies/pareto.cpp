#include "simnas/strategies/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace simnas {

std::vector<int> ParetoFront(std::span<const double> latency, const ScoreTable& proxy,
                             const std::vector<bool>* skip) {
  std::vector<int> order;
  order.reserve(latency.size());
  for (std::size_t i = 0; i < latency.size(); ++i) {
    if (std::isnan(latency[i])) continue;
    if (skip != nullptr && i < skip->size() && (*skip)[i]) continue;
    order.push_back(static_cast<int>(i));
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
    if (latency[ua] != latency[ub]) return latency[ua] < latency[ub];
    if (proxy(a) != proxy(b)) return proxy(a) > proxy(b);
    return a < b;
  });
  std::vector<int> front;
  double best = -std::numeric_limits<double>::infinity();
  for (int i : order) {
    if (proxy(i) > best) {
      front.push_back(i);
      best = proxy(i);
    }
  }
  return front;
}

std::vector<ProbeRecord> MeasuredParetoFront(const std::vector<ProbeRecord>& probed, const ScoreTable& proxy) {
  std::vector<ProbeRecord> sorted = probed;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const ProbeRecord& a, const ProbeRecord& b) {
    if (a.measurement.latency_ms != b.measurement.latency_ms) return a.measurement.latency_ms < b.measurement.latency_ms;
    return proxy(a.index) > proxy(b.index);
  });
  std::vector<ProbeRecord> front;
  double best = -std::numeric_limits<double>::infinity();
  for (const ProbeRecord& r : sorted) {
    if (proxy(r.index) > best) {
      front.push_back(r);
      best = proxy(r.index);
    }
  }
  return front;
}

std::vector<std::size_t> SpreadPositions(std::size_t size, std::size_t count) {
  std::vector<std::size_t> out;
  if (size == 0 || count == 0) return out;
  if (count >= size) {
    out.resize(size);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  if (count == 1) return {size / 2};
  for (std::size_t k = 0; k < count; ++k) {
    const auto pos = static_cast<std::size_t>(
        std::lround(static_cast<double>(k) * static_cast<double>(size - 1) / static_cast<double>(count - 1)));
    if (out.empty() || out.back() != pos) out.push_back(pos);
  }
  return out;
}

}  // namespace simnas
