#include "simnas/controller/training_inputs.h"

#include <algorithm>

namespace simnas {

TrainingInputs PrepareTrainingInputs(const SpaceData& data, const ScoreTable& proxy,
                                     const std::vector<std::string>& exclude, LutFitKind fit) {
  std::vector<std::string> devices;
  std::vector<const LatencyTable*> tables;
  for (const std::string& device : data.TrainDevices()) {
    if (std::find(exclude.begin(), exclude.end(), device) != exclude.end()) continue;
    devices.push_back(device);
    tables.push_back(&data.DeviceTable(device));
  }
  return {FitSyntheticDistribution(data.Numbering(), tables, fit), WalkTables::Build(data.Numbering(), proxy, tables),
          devices};
}

}  // namespace simnas
