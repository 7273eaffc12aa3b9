// What edit-walk training needs besides its options, from train devices only: the
// synthetic-device distribution (fits of the train devices' tables) and the walk's tables
// (proxy and prior latency per architecture, walk_tables.h).
#pragma once

#include <string>
#include <vector>

#include "simnas/controller/walk_tables.h"
#include "simnas/space/score_table.h"
#include "simnas/space/space_data.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas {

struct TrainingInputs {
  SyntheticDistribution distribution;
  WalkTables tables;
  std::vector<std::string> devices;  // the train devices used
};

// Fits every train device of `data` but those in `exclude` (a held-out device or group) with
// `fit`; `proxy` holds one score per numbered architecture.
TrainingInputs PrepareTrainingInputs(const SpaceData& data, const ScoreTable& proxy,
                                     const std::vector<std::string>& exclude, LutFitKind fit = LutFitKind::kShared);

}  // namespace simnas
