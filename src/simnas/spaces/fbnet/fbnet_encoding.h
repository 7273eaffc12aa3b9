// The per-layer one-hot encoding of an FBNet architecture, for linear latency models (the
// space's lookup table, One Proxy Device Sec. 5.4.1 on FBNet):
//   x = [1, then for each of the 22 layers one indicator per block other than skip]
// (1 + 22 x 8 = 177 features). The first entry is the fixed part (stem, header, pool,
// classifier); skip is every layer's reference block (no feature): with one for every block
// the indicators of a layer would sum to the fixed part and the weights would not be
// identifiable.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

inline constexpr int kFbnetFeatureCount = 1 + kFbnetNumLayers * (kFbnetNumBlocks - 1);

Eigen::VectorXd EncodeFbnetArch(const FbnetArch& arch);
// Row i encodes archs[i].
Eigen::MatrixXd EncodeFbnetArchs(const std::vector<FbnetArch>& archs);

}  // namespace simnas
