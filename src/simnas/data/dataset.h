// The three NATS-Bench datasets: names, classes and input resolution.
#pragma once

#include <array>
#include <string_view>

namespace simnas {

enum class Dataset { kCifar10 = 0, kCifar100 = 1, kImageNet16_120 = 2 };

inline constexpr std::array<Dataset, 3> kAllDatasets = {Dataset::kCifar10, Dataset::kCifar100,
                                                        Dataset::kImageNet16_120};

// Canonical names: "cifar10", "cifar100", "ImageNet16-120" (as in the NATS-Bench files).
std::string_view DatasetName(Dataset dataset);
// Accepts the canonical names case-insensitively, plus "imagenet" and "imagenet16". Throws ParseError.
Dataset ParseDataset(std::string_view name);
int NumClasses(Dataset dataset);  // 10, 100, 120
int InputSize(Dataset dataset);   // 32, 32, 16 (pixels per side)

}  // namespace simnas
