#include "simnas/monotonicity/srcc.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {

double SrccMatrix::MeanToOthers(std::size_t i) const {
  if (devices.size() < 2) return std::nan("");
  double sum = 0;
  for (std::size_t j = 0; j < devices.size(); ++j) {
    if (j != i) sum += srcc[i][j];
  }
  return sum / static_cast<double>(devices.size() - 1);
}

SrccMatrix ComputeSrccMatrix(const std::vector<std::string>& devices,
                             const std::vector<std::vector<double>>& latencies) {
  if (devices.size() != latencies.size()) {
    throw Error(fmt::format("SRCC matrix: {} device names for {} latency vectors", devices.size(), latencies.size()));
  }
  if (devices.empty()) throw Error("SRCC matrix: no devices");
  const std::size_t n = latencies.front().size();
  for (std::size_t d = 0; d < devices.size(); ++d) {
    if (latencies[d].size() != n) {
      throw Error(fmt::format("SRCC matrix: device {} has {} latencies, device {} has {}", devices[d],
                              latencies[d].size(), devices.front(), n));
    }
  }
  if (n < 3) throw Error(fmt::format("SRCC matrix: {} cells are too few for a rank correlation (need 3)", n));
  const auto known = [](double v) { return !std::isnan(v); };
  SrccMatrix m;
  m.devices = devices;
  m.total = static_cast<int>(n);
  std::vector<bool> complete;
  for (const auto& v : latencies) {
    m.answered.push_back(static_cast<int>(std::count_if(v.begin(), v.end(), known)));
    complete.push_back(m.answered.back() == m.total);
  }
  for (std::size_t c = 0; c < n; ++c) {
    if (std::all_of(latencies.begin(), latencies.end(), [&](const std::vector<double>& v) { return known(v[c]); })) {
      ++m.cells;
    }
  }
  // Spearman = Pearson on average ranks: rank every device that answers every cell once; a
  // pair with a device that answers fewer is ranked over the cells both answer.
  std::vector<std::vector<double>> ranks(devices.size());
  for (std::size_t d = 0; d < devices.size(); ++d) {
    if (complete[d]) ranks[d] = Ranks(latencies[d]);
  }
  m.srcc.assign(devices.size(), std::vector<double>(devices.size(), 1.0));
  m.pair_cells.assign(devices.size(), std::vector<int>(devices.size(), 0));
  for (std::size_t i = 0; i < devices.size(); ++i) {
    m.pair_cells[i][i] = m.answered[i];
    for (std::size_t j = i + 1; j < devices.size(); ++j) {
      double r = 0;
      int both = m.total;
      if (complete[i] && complete[j]) {
        r = Pearson(ranks[i], ranks[j]);
      } else {
        std::vector<double> a, b;
        for (std::size_t c = 0; c < n; ++c) {
          if (known(latencies[i][c]) && known(latencies[j][c])) {
            a.push_back(latencies[i][c]);
            b.push_back(latencies[j][c]);
          }
        }
        both = static_cast<int>(a.size());
        if (both < 3) {
          throw Error(fmt::format("SRCC matrix: devices {} and {} both answer {} cells, too few for a rank "
                                  "correlation (need 3)",
                                  devices[i], devices[j], both));
        }
        r = Pearson(Ranks(a), Ranks(b));
      }
      m.srcc[i][j] = m.srcc[j][i] = r;
      m.pair_cells[i][j] = m.pair_cells[j][i] = both;
    }
  }
  return m;
}

std::pair<std::vector<double>, std::vector<double>> BothAnswered(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw Error("SRCC: the two devices cover different cells");
  std::pair<std::vector<double>, std::vector<double>> out;
  for (std::size_t c = 0; c < a.size(); ++c) {
    if (!std::isnan(a[c]) && !std::isnan(b[c])) {
      out.first.push_back(a[c]);
      out.second.push_back(b[c]);
    }
  }
  return out;
}

SrccEstimate EstimateSrccFromSample(std::span<const double> a, std::span<const double> b, int k, int repeats,
                                    std::uint64_t seed) {
  if (a.size() != b.size()) throw Error("SRCC estimate: the two devices cover different cells");
  if (k < 3 || static_cast<std::size_t>(k) > a.size()) {
    throw Error(fmt::format("SRCC estimate: sample size {} outside [3, {}]", k, a.size()));
  }
  if (repeats < 1) throw Error(fmt::format("SRCC estimate: {} repeats, need at least 1", repeats));
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> order(a.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> xa(static_cast<std::size_t>(k)), xb(static_cast<std::size_t>(k));
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(repeats));
  for (int r = 0; r < repeats; ++r) {
    // Partial Fisher-Yates: the first k entries are a uniform sample without replacement.
    for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
      std::swap(order[i], order[pick(rng)]);
      xa[i] = a[order[i]];
      xb[i] = b[order[i]];
    }
    const double s = Spearman(xa, xb);
    // A sample where one device ties every cell has no ranking; it counts as no correlation.
    values.push_back(std::isnan(s) ? 0.0 : s);
  }
  return SrccEstimate{k, repeats, Mean(values), StdDev(values)};
}

std::size_t ChooseProxyDevice(const std::vector<const LatencyTable*>& tables) {
  if (tables.size() < 2) throw Error("choosing a proxy device needs at least two device tables");
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  for (const LatencyTable* t : tables) {
    if (!t->Complete()) throw DataError(fmt::format("proxy device candidate {} has no complete table", t->name()));
    names.push_back(t->name());
    values.push_back(t->values());
  }
  const SrccMatrix m = ComputeSrccMatrix(names, values);
  std::size_t best = 0;
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (m.MeanToOthers(i) > m.MeanToOthers(best)) best = i;
  }
  return best;
}

}  // namespace simnas
