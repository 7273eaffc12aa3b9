// Synthetic FBNet devices (issue 14; Sim-is-More's domain randomization, Sec. 3.2, on FBNet).
//
// A device is a lookup table: a fixed part plus one cost per (layer, block), 22 x 9 entries;
// the latency of a network is the fixed part plus the cost of its block at each layer.
//
// Fits: one table per train device, least squares on HELP's 5,000 measured networks over the
// layer one-hot encoding (search_space/fbnet/fbnet_encoding.h, skip as each layer's reference);
// then each layer's entries are shifted so its cheapest block costs 0 and the shifts move into
// the fixed part. Every network has exactly one block per layer, so the shift changes no
// prediction: the entries are non-negative at no cost to the fit.
//
// Distribution (FbnetSyntheticOptions; docs/fbnet-synthetic.md): per seed,
//  1. mixture weights from a Dirichlet(alpha) over the train fits; each fit divided by its
//     mean latency over uniformly random networks (so a slow device does not outweigh a fast
//     one), mixed, then scaled back by the weighted geometric mean of those latencies;
//  2. each of the 7 stages' entries multiplied by its own exp(N(0, stage_sigma)), and each of
//     the 9 blocks' entries (at every layer) by its own exp(N(0, block_sigma)): a device that
//     is slow at one stage's shapes, or at 5x5 kernels, grouped convs, wide expansions;
//  3. the fixed part and every entry multiplied by its own exp(N(0, entry_sigma)).
// Only train tables feed it: fitting on a test device's table is refused.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/data/latency_table.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

class FbnetTables;

struct FbnetLut {
  double fixed_ms = 0;
  std::array<std::array<double, kFbnetNumBlocks>, kFbnetNumLayers> block_ms{};  // [layer][block], >= 0

  // Fixed part + the block cost of every layer, never below Floor().
  double Latency(const FbnetArch& arch) const;
  // Mean latency of a network whose blocks are drawn uniformly (exact, no sampling).
  double MeanRandomLatency() const;
  // 1e-3 x MeanRandomLatency(): a table whose fixed part is fitted below zero cannot make a
  // network (nearly) free.
  double Floor() const;
  std::vector<double> LatenciesOf(const std::vector<FbnetArch>& archs) const;
};

struct FbnetLutFit {
  std::string device;
  FbnetLut lut;
  double r2 = 0;        // of the table's predictions for the device's measured networks
  double spearman = 0;  // the same, rank correlation
};

// Fits `device`'s table: `latency_ms[i]` measured for `archs[i]`. Throws Error naming the
// device when the sizes differ, a latency is not finite, or there are fewer networks than
// the table has entries (177).
FbnetLutFit FitFbnetLut(const std::string& device, const std::vector<FbnetArch>& archs,
                        const std::vector<double>& latency_ms);

struct FbnetSyntheticOptions {
  // Defaults chosen on the train tables only (docs/fbnet-synthetic.md): the sampled devices'
  // pairwise SRCC has the train tables' pairwise mean (0.68) while each train table keeps a
  // close sampled device.
  double alpha = 0.1;         // Dirichlet concentration of the mixture weights
  double stage_sigma = 0.1;   // log-normal scale of each stage's entries
  double block_sigma = 0.2;   // log-normal scale of each block's entries
  double entry_sigma = 0.03;  // log-normal noise of every entry and of the fixed part
  bool operator==(const FbnetSyntheticOptions&) const = default;
};

class FbnetSyntheticDistribution {
 public:
  // At least one fit; none of a test device (Error naming it).
  explicit FbnetSyntheticDistribution(std::vector<FbnetLutFit> fits, FbnetSyntheticOptions options = {});

  // The device of `seed` (the same seed and options give the same table).
  FbnetLut Sample(std::uint64_t seed) const;
  const std::vector<FbnetLutFit>& fits() const { return fits_; }
  const FbnetSyntheticOptions& options() const { return options_; }

 private:
  std::vector<FbnetLutFit> fits_;
  FbnetSyntheticOptions options_;
  std::vector<double> mean_ms_;  // MeanRandomLatency of each fit
};

// Fits every train device of HELP's FBNet tables (never a test device), in FbnetDeviceNames order.
std::vector<FbnetLutFit> FitFbnetTrainDevices(FbnetTables& tables);
// The distribution over those fits.
FbnetSyntheticDistribution FitFbnetSyntheticDistribution(FbnetTables& tables, FbnetSyntheticOptions options = {});

// How sampled devices compare to real tables over the same networks (SRCC).
struct FbnetSyntheticComparison {
  struct Real {
    std::string device;
    bool test = false;
    double best = 0;  // best SRCC of any sampled device to this table
    double mean = 0;  // mean over the sampled devices
    double worst = 0;
  };
  std::vector<double> pairwise_synthetic;  // every pair of sampled devices
  std::vector<double> pairwise_real;       // every pair of real tables
  std::vector<double> pairwise_real_train; // every pair of real train tables (what tuning may look at)
  std::vector<Real> real;                  // one per real table, in the order given
};
// `devices` sampled tables, `archs` the networks, `real[d]` a table of latencies of `archs`
// (in order), `is_test[d]` its split.
FbnetSyntheticComparison CompareFbnetSynthetic(const std::vector<FbnetLut>& devices,
                                               const std::vector<FbnetArch>& archs,
                                               const std::vector<const LatencyTable*>& real,
                                               const std::vector<bool>& is_test);

}  // namespace simnas
