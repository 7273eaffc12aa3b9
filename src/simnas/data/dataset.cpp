#include "simnas/data/dataset.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {

std::string_view DatasetName(Dataset dataset) {
  switch (dataset) {
    case Dataset::kCifar10: return "cifar10";
    case Dataset::kCifar100: return "cifar100";
    case Dataset::kImageNet16_120: return "ImageNet16-120";
    case Dataset::kImageNet: return "ImageNet-1k";
  }
  return "?";
}

Dataset ParseDataset(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "cifar10" || lower == "cifar-10") return Dataset::kCifar10;
  if (lower == "cifar100" || lower == "cifar-100") return Dataset::kCifar100;
  if (lower == "imagenet16-120" || lower == "imagenet" || lower == "imagenet16") return Dataset::kImageNet16_120;
  if (lower == "imagenet-1k" || lower == "imagenet1k") return Dataset::kImageNet;
  throw ParseError(
      fmt::format("unknown dataset {}; expected cifar10, cifar100, ImageNet16-120 or ImageNet-1k", Quoted(name)));
}

int NumClasses(Dataset dataset) {
  switch (dataset) {
    case Dataset::kCifar10: return 10;
    case Dataset::kCifar100: return 100;
    case Dataset::kImageNet16_120: return 120;
    case Dataset::kImageNet: return 1000;
  }
  return 0;
}

int InputSize(Dataset dataset) {
  switch (dataset) {
    case Dataset::kImageNet16_120: return 16;
    case Dataset::kImageNet: return 224;
    default: return 32;
  }
}

}  // namespace simnas
