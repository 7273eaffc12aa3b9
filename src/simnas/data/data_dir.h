// Where the benchmark data lives, and the layout inside it (the layout of the published
// mirror: help-nasbench201/, nats-bench-accuracy/, cifar10-sample/).
#pragma once

#include <filesystem>
#include <string>

#include "simnas/data/dataset.h"

namespace simnas {

class DataDir {
 public:
  explicit DataDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path HelpDir() const { return root_ / "help-nasbench201"; }
  std::filesystem::path ArchIndexFile() const { return HelpDir() / "str_arch2idx.pt"; }
  std::filesystem::path HelpLatencyFile(const std::string& device) const { return HelpDir() / (device + ".pt"); }
  std::filesystem::path HelpAnswersDir() const { return HelpDir() / "architecture_config"; }
  std::filesystem::path AccuracyFile(Dataset dataset) const;
  std::filesystem::path CifarSampleFile() const { return root_ / "cifar10-sample" / "cifar10_sample_640.bin"; }

 private:
  std::filesystem::path root_;
};

}  // namespace simnas
