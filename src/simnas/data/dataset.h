// The datasets networks are built for: names, classes and input resolution. The three
// NATS-Bench datasets (kAllDatasets: what NAS-Bench-201's accuracy and proxy tables cover), and
// ImageNet (ILSVRC-2012, 1,000 classes; the Once-for-All MobileNet-V3 networks').
#pragma once

#include <array>
#include <string_view>

namespace simnas {

enum class Dataset { kCifar10 = 0, kCifar100 = 1, kImageNet16_120 = 2, kImageNet = 3 };

inline constexpr std::array<Dataset, 3> kAllDatasets = {Dataset::kCifar10, Dataset::kCifar100,
                                                        Dataset::kImageNet16_120};

// Canonical names: "cifar10", "cifar100", "ImageNet16-120" (as in the NATS-Bench files),
// "ImageNet-1k".
std::string_view DatasetName(Dataset dataset);
// Accepts the canonical names case-insensitively, plus "imagenet" and "imagenet16" (both
// ImageNet16-120) and "imagenet1k". Throws ParseError.
Dataset ParseDataset(std::string_view name);
int NumClasses(Dataset dataset);  // 10, 100, 120, 1000
int InputSize(Dataset dataset);   // 32, 32, 16, 224 (pixels per side)

}  // namespace simnas
