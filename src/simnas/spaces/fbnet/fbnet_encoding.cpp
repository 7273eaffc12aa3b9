#include "simnas/spaces/fbnet/fbnet_encoding.h"

namespace simnas {
namespace {

// Column of (layer, block) for every block but skip; -1 for skip.
int Column(int layer, FbnetBlock block) {
  if (block == FbnetBlock::kSkip) return -1;
  return 1 + layer * (kFbnetNumBlocks - 1) + static_cast<int>(block);
}

}  // namespace

Eigen::VectorXd EncodeFbnetArch(const FbnetArch& arch) {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(kFbnetFeatureCount);
  x(0) = 1;
  for (int layer = 0; layer < kFbnetNumLayers; ++layer) {
    if (const int c = Column(layer, arch.block(layer)); c >= 0) x(c) = 1;
  }
  return x;
}

Eigen::MatrixXd EncodeFbnetArchs(const std::vector<FbnetArch>& archs) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(archs.size()), kFbnetFeatureCount);
  for (std::size_t i = 0; i < archs.size(); ++i) x.row(static_cast<Eigen::Index>(i)) = EncodeFbnetArch(archs[i]).transpose();
  return x;
}

}  // namespace simnas
