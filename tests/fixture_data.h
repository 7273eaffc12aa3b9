// A small made-up benchmark held in memory, for unit tests that need a search space, device
// latency tables, proxy scores and accuracies but not the real HELP / NATS-Bench data: tests
// built on it run without the data folder (CTest runs them a second time with SIMNAS_DATA
// pointing at an empty folder, tests/CMakeLists.txt).
//
// - The space: all 15,625 cells with a made-up numbering (index = code x 7919 mod 15,625, a
//   permutation), so a test that mixes up indices and codes fails.
// - Seven device tables named after benchmark devices (five train devices, two of the test
//   devices, by the real split of the space's TestDevices): a fixed cost plus a per-device cost per
//   operation and edge, a per-device superlinear term in the 3x3 convolutions, and a
//   deterministic +-3% jitter, so the devices rank cells alike but not identically.
// - Accuracies of the three datasets and a proxy table: weighted operation counts plus a
//   deterministic jitter; larger cells score higher, as in the real tables.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <memory>

#include "simnas/devices/device.h"
#include "nb201_benchmark_data.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/space/score_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/strategies/search_setup.h"

namespace simnas::testing {

// A deterministic number in [0, 1) from two integers (a multiplicative hash).
inline double FixtureHash(int a, int b) {
  std::uint64_t x = static_cast<std::uint64_t>(a) * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(b) * 0xC2B2AE3D27D4EB4Full;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<double>(x % 1000003ull) / 1000003.0;
}

inline const SearchSpace& FixtureSpace() {
  static const SearchSpace space = [] {
    std::vector<std::pair<std::string, long long>> entries;
    entries.reserve(kNumCells);
    for (int code = 0; code < kNumCells; ++code) {
      entries.emplace_back(Cell::FromCode(code).ToString(), (static_cast<long long>(code) * 7919) % kNumCells);
    }
    return SearchSpace::FromIndexMap(entries, "the test fixture");
  }();
  return space;
}

struct FixtureDevice {
  const char* name;
  double fixed_ms;
  std::array<double, kNumOps> op_ms;  // none, skip, conv 1x1, conv 3x3, avg pool 3x3
  double conv3x3_squared;            // extra cost per (3x3 convolutions)^2, relative
};

inline const std::vector<FixtureDevice>& FixtureDevices() {
  static const std::vector<FixtureDevice> devices = {
      {"pixel3", 5.0, {0.0, 0.10, 1.0, 3.0, 0.8}, 0.02},      {"gold_6240", 2.0, {0.0, 0.05, 0.6, 1.5, 0.6}, 0.01},
      {"titanx_32", 8.0, {0.0, 0.20, 0.4, 0.7, 0.5}, 0.0},     {"1080ti_1", 6.0, {0.0, 0.30, 0.5, 0.6, 0.4}, 0.005},
      {"samsung_a50", 7.0, {0.0, 0.10, 1.2, 4.0, 1.0}, 0.03},  {"fpga", 1.0, {0.0, 0.02, 0.3, 0.9, 0.2}, 0.0},
      {"eyeriss", 3.0, {0.0, 0.05, 0.4, 2.5, 0.1}, 0.04},
  };
  return devices;
}

inline LatencyTable FixtureLatencyTable(const FixtureDevice& d, int salt) {
  std::vector<double> ms(kNumCells);
  for (int i = 0; i < kNumCells; ++i) {
    const Cell cell = FixtureSpace().CellAt(i);
    double v = d.fixed_ms;
    for (int e = 0; e < kNumEdges; ++e) {
      const double edge_weight = e >= 3 ? 1.2 : 1.0;  // edges into the last node see more work
      v += edge_weight * d.op_ms[static_cast<std::size_t>(cell.op(e))];
    }
    const double n3 = cell.OpCounts()[static_cast<std::size_t>(Op::kConv3x3)];
    v *= 1.0 + d.conv3x3_squared * n3 * n3;
    v *= std::exp(0.03 * (2.0 * FixtureHash(i, salt) - 1.0));
    ms[static_cast<std::size_t>(i)] = v;
  }
  return LatencyTable(d.name, std::move(ms));
}

inline AccuracyTable FixtureAccuracy(Dataset dataset) {
  const double scale = dataset == Dataset::kCifar10 ? 1.3 : dataset == Dataset::kCifar100 ? 1.0 : 0.6;
  AccuracyTable t{dataset, std::vector<double>(kNumCells)};
  for (int i = 0; i < kNumCells; ++i) {
    const auto n = FixtureSpace().CellAt(i).OpCounts();
    const double v = 30 + scale * (6 * n[3] + 3.5 * n[2] + 1.5 * n[1] + 1 * n[4] - 2 * n[0]) +
                     4 * FixtureHash(i, 99 + static_cast<int>(dataset));
    t.test_accuracy[static_cast<std::size_t>(i)] = std::clamp(v, 0.0, 100.0);
  }
  return t;
}

inline const BenchmarkData& FixtureData() {
  static const BenchmarkData data = [] {
    std::vector<LatencyTable> tables;
    int salt = 1;
    for (const FixtureDevice& d : FixtureDevices()) tables.push_back(FixtureLatencyTable(d, salt++));
    std::vector<AccuracyTable> accuracy;
    for (Dataset d : kAllDatasets) accuracy.push_back(FixtureAccuracy(d));
    return BenchmarkData(FixtureSpace(), std::move(tables), std::move(accuracy));
  }();
  return data;
}

// Proxy scores shaped like the real ones: larger cells score higher, with a jitter (FreeREA's
// three and MeCo: a v2 table).
// `space`: the numbering of the indices (a test of the CLI on the real data passes the real one).
inline ProxyTable FixtureProxyTable(Dataset dataset = Dataset::kCifar100, const SearchSpace& space = FixtureSpace()) {
  ProxyTable t;
  t.dataset = dataset;
  for (int i = 0; i < kNumCells; ++i) {
    const Cell c = space.CellAt(i);
    const auto n = c.OpCounts();
    const double jitter = FixtureHash(i, 7);
    t.naswot.push_back(700 + 12 * n[3] + 7 * n[2] + 2 * n[1] + 3 * n[4] + 4 * jitter);
    t.logsynflow.push_back(100 + 20 * n[3] + 8 * n[2] - 5 * n[0] + (c.op(5) == Op::kConv3x3 ? 6 : 0) + 3 * jitter);
    t.skip.push_back(n[1] > 0 ? 1.0 : 0.0);
    // MeCo, which the default recipe (configs/aggregates.json's "_default") reads.
    t.zoo["meco"].push_back(0.1 + 0.04 * n[3] + 0.025 * n[2] + 0.01 * n[4] + 0.03 * FixtureHash(i, 11));
  }
  return t;
}

inline const ProxyScores& FixtureProxy() {
  static const ProxyScores scores(FixtureProxyTable(), ProxyAggregate::kFreeRea);
  return scores;
}

// `proxy` as the search's score table (named after its recipe).
inline ScoreTable ScoresOf(const ProxyScores& proxy) { return ScoreTable(proxy.aggregate().name, proxy.values()); }

// What a search on `target` knows on `data` (as `simnas search` builds it: the train tables but
// the target's own, `scores`, and `dataset`'s accuracy for the oracle). Keep it while the search runs.
inline std::unique_ptr<SearchSetup> Setup(const BenchmarkData& data, const ScoreTable& scores, const Device& target,
                                          Dataset dataset = Dataset::kCifar100) {
  return std::make_unique<SearchSetup>(data.space_data(), target, scores, dataset);
}
inline std::unique_ptr<SearchSetup> Setup(const BenchmarkData& data, const ProxyScores& proxy, const Device& target,
                                          Dataset dataset = Dataset::kCifar100) {
  return Setup(data, ScoresOf(proxy), target, dataset);
}

}  // namespace simnas::testing
