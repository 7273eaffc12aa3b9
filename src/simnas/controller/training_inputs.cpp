#include "simnas/controller/training_inputs.h"

#include <utility>

namespace simnas {

OpLatencyModel OpModelOf(const SyntheticLut& shared_fit) {
  OpLatencyModel m;
  m.counts = shared_fit.live_only ? OpCountKind::kLiveEdges : OpCountKind::kAllEdges;
  m.fixed_ms = shared_fit.fixed_ms;
  for (std::size_t op = 0; op < m.op_ms.size(); ++op) m.op_ms[op] = shared_fit.cost_ms.front()[op];
  return m;
}

TrainingInputs PrepareTrainingInputs(const BenchmarkData& data, ScoreTable proxy,
                                     const std::vector<std::string>& exclude) {
  TrainingInputs in{std::move(proxy), FitSyntheticDistribution(data.space_data(), LutFitKind::kShared, exclude), {}, {}};
  std::vector<OpLatencyModel> models;
  for (const LutFit& f : in.distribution.fits()) {
    models.push_back(OpModelOf(f.lut));
    in.devices.push_back(f.device);
  }
  in.tables = CellTables::Build(data.space(), in.proxy, RelativePriorModel(models));
  return in;
}

}  // namespace simnas
