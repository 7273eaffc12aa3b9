#include "fixture_data_folder.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include "fixture_data.h"
#include "simnas/core/file_util.h"
#include "simnas/data/data_dir.h"

namespace simnas::testing {
namespace fs = std::filesystem;

namespace {

void WriteTorchSave(const fs::path& path, const c10::IValue& value) {
  const std::vector<char> bytes = torch::pickle_save(value);
  WriteFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

void WriteFolder(const DataDir& dir) {
  fs::create_directories(dir.HelpDir());
  fs::create_directories(dir.AccuracyFile(Dataset::kCifar10).parent_path());
  c10::Dict<std::string, int64_t> index_map;
  for (int i = 0; i < kNumCells; ++i) index_map.insert(FixtureSpace().CellAt(i).ToString(), i);
  WriteTorchSave(dir.ArchIndexFile(), index_map);
  const BenchmarkData& data = FixtureData();
  for (const std::string& name : data.DeviceNames()) {
    c10::List<double> ms;
    for (int i = 0; i < kNumCells; ++i) ms.push_back(data.DeviceTable(name).At(i));
    WriteTorchSave(dir.HelpLatencyFile(name), ms);
  }
  for (Dataset dataset : kAllDatasets) {
    std::string text = "# ArchitectureIdx, Test-Accuracy (the simnas test fixture, made up)\n";
    const AccuracyTable& acc = data.Accuracy(dataset);
    for (int i = 0; i < kNumCells; ++i) {
      text += fmt::format("{} {:.17g}\n", i, acc.test_accuracy[static_cast<std::size_t>(i)]);
    }
    WriteFileAtomically(dir.AccuracyFile(dataset), text);
  }
}

}  // namespace

void WriteFixtureDataFolder(const fs::path& root) { WriteFolder(DataDir(root)); }

}  // namespace simnas::testing
