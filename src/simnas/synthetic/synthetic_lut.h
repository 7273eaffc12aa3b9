// A lookup-table device of any search space: a fixed part plus one cost per (position, choice);
// the latency of an architecture is the fixed part plus the cost of its choice at every
// position (at every live position, for a device that runs only live positions:
// Space::LivePositions). Sampled by SyntheticDistribution; fitted to a device's table by
// FitLut (least squares on the numbered architectures the table holds).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "simnas/data/latency_table.h"
#include "simnas/space/arch.h"

namespace simnas {

class CandidateSet;
class Space;

struct SyntheticLut {
  double fixed_ms = 0;
  std::vector<std::vector<double>> cost_ms;  // [position][choice]
  bool live_only = false;                    // only live positions cost time
  double measure_noise = 0;                  // relative (log-normal) noise of a measurement
  double floor_ms = 0;                       // no latency is below this (0: none)

  // A table of zeros shaped like `space` (every position, every choice).
  static SyntheticLut ZerosOf(const Space& space);

  // Noise-free latency: the fixed part plus the cost of `choices[p]` at every position p whose
  // `live[p]` is 1 (`live` may be null when !live_only), never below floor_ms.
  double LatencyOfChoices(const std::uint8_t* choices, const std::uint8_t* live) const;
  double Latency(const Arch& arch) const;
  // One measurement: Latency() times exp(N(0, measure_noise)) drawn from `rng`.
  double Measure(const Arch& arch, std::mt19937_64& rng) const;
  // Noise-free latency of every candidate, in candidate order.
  std::vector<double> LatenciesOf(const CandidateSet& candidates) const;
  // 1e-3 x the largest |entry| (fixed part included): negative costs (a skip cheaper than
  // `none`) cannot make an architecture free.
  double MinLatency() const;
  // Mean latency of an architecture whose choices are drawn uniformly (every position counted).
  double MeanRandomLatency() const;
  // The cheapest and the dearest latency with each position independently at its cheapest /
  // dearest choice (exact when every position counts; a bound for live-only devices).
  std::pair<double, double> Range() const;
  // FNV-1a of every entry printed to 9 significant digits (a table, not its bit pattern).
  std::uint64_t Digest() const;
};

// How a device's table is fitted to its measured latencies.
enum class LutFitKind {
  kShared,       // one cost per choice, shared by every position (Sim-is-More's op table)
  kPerPosition,  // one cost per (position, choice); each position shifted so its cheapest is 0
};
std::string_view LutFitKindName(LutFitKind kind);

struct LutFit {
  std::string device;
  LutFitKind kind = LutFitKind::kPerPosition;
  SyntheticLut lut;  // floor_ms 0: the least-squares prediction itself
  double r2 = 0;        // of the table's predictions for the device's measured architectures
  double spearman = 0;  // the same, rank correlation
};

// Least squares of `table` (one latency per architecture of `candidates`, unknown ones
// skipped) on the choices of each architecture: for kShared, [1, count of each non-reference
// choice], which needs every position to offer the same choices with the same reference; for
// kPerPosition, [1, one indicator per (position, non-reference choice)]. With `live_only`,
// dead positions (Space::LivePositions) carry no feature. Throws Error naming the device when
// the table and candidates differ in size, there are fewer architectures than features, or
// the kind does not fit the space.
LutFit FitLut(const CandidateSet& candidates, const LatencyTable& table, LutFitKind kind, bool live_only = false);

}  // namespace simnas
