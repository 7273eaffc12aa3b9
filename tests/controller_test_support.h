// Shared by the controller tests: a fake in-memory proxy table (the committed tables are
// generated elsewhere; larger cells score higher, like the real ones), the walk's tables built
// from it with the train devices' prior, and small random-weight controller models.
#pragma once

#include <random>

#include "simnas/controller/controller_model.h"
#include "simnas/controller/walk_tables.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/synthetic/synthetic_distribution.h"
#include "fixture_data.h"
#include "test_support.h"

namespace simnas::testing {

inline ProxyTable ControllerFakeProxyTable() {
  ProxyTable t;
  t.dataset = Dataset::kCifar100;
  for (int i = 0; i < kNumCells; ++i) {
    const Cell c = FixtureData().space().CellAt(i);
    const auto n = c.OpCounts();
    const double jitter = static_cast<double>((static_cast<unsigned>(i) * 2654435761u) % 1000u) / 1000.0;
    t.naswot.push_back(700 + 12 * n[3] + 7 * n[2] + 2 * n[1] + 3 * n[4] + 4 * jitter);
    t.logsynflow.push_back(100 + 20 * n[3] + 8 * n[2] - 5 * n[0] + 3 * jitter);
    t.skip.push_back(n[1] > 0 ? 1.0 : 0.0);
  }
  return t;
}

inline const ProxyScores& ControllerFakeProxy() {
  static const ProxyScores scores(ControllerFakeProxyTable(), ProxyAggregate::kFreeRea);
  return scores;
}

// The fixture's train devices: shared (op-table) fits and their distribution.
struct ControllerTrainFits {
  SyntheticDistribution distribution;
};
inline const ControllerTrainFits& ControllerFits() {
  static const ControllerTrainFits fits{FitSyntheticDistribution(FixtureData().space_data(), LutFitKind::kShared)};
  return fits;
}

// The walk's actions over NAS-Bench-201: (edge, op).
inline constexpr int kWalkActions = kNumEdges * kNumOps;

inline const WalkTables& ControllerTables() {
  static const WalkTables tables = [] {
    std::vector<const LatencyTable*> train;
    for (const auto& f : ControllerFits().distribution.fits()) train.push_back(&FixtureData().DeviceTable(f.device));
    return WalkTables::Build(FixtureData().space_data().Numbering(), ScoresOf(ControllerFakeProxy()), train);
  }();
  return tables;
}

inline ControllerModel RandomControllerModel(const EnvConfig& env, std::uint64_t seed, int hidden = 16) {
  ControllerModel m;
  m.env = env;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  int in = ObservationSize(env, kWalkActions);
  for (int out : {hidden, kWalkActions}) {
    DenseLayer l;
    l.in = in;
    l.out = out;
    for (int i = 0; i < in * out; ++i) l.weight.push_back(normal(rng));
    for (int i = 0; i < out; ++i) l.bias.push_back(normal(rng));
    m.layers.push_back(l);
    in = out;
  }
  m.provenance = {{"command", "test"}};
  return m;
}

}  // namespace simnas::testing
