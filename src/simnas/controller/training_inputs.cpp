#include "simnas/controller/training_inputs.h"

#include <utility>

namespace simnas {

TrainingInputs PrepareTrainingInputs(const BenchmarkData& data, ScoreTable proxy,
                                     const std::vector<std::string>& exclude) {
  TrainingInputs in{std::move(proxy), FitTrainDevices(data, exclude), {}, {}};
  std::vector<OpLatencyModel> models;
  for (const OpModelFit& f : in.fits.fits) {
    models.push_back(f.model);
    in.devices.push_back(f.device);
  }
  in.tables = CellTables::Build(data.space(), in.proxy, RelativePriorModel(models));
  return in;
}

}  // namespace simnas
