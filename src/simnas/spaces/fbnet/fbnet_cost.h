// The multiply-adds of an FBNet network, counted from the layer shapes alone (no weights):
// the same count as NetworkDescription::MultiplyAdds of DescribeFbnet (convolutions: weights x
// output pixels; the classifier: its weights), for one image. FBNet has no accuracy table; the
// FBNet search ranks measured networks by this count (a capacity stand-in, not an accuracy).
#pragma once

#include <cstdint>

#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

std::int64_t FbnetMultiplyAdds(const FbnetArch& arch, int input_size = 32, int num_classes = 100);

}  // namespace simnas
