#include "simnas/spaces/fbnet/fbnet_cost.h"

namespace simnas {

std::int64_t FbnetMultiplyAdds(const FbnetArch& arch, int input_size, int num_classes) {
  using I = std::int64_t;
  I h = input_size;  // odd kernels with padding k/2 (and 1x1 without): output side = ceil(side / stride)
  I n = I{kFbnetStemChannels} * 3 * 9 * h * h;
  for (int layer = 0; layer < kFbnetNumLayers; ++layer) {
    const FbnetLayerShape& s = FbnetLayerShapes()[static_cast<std::size_t>(layer)];
    const FbnetBlockParams b = ParamsOf(arch.block(layer));
    const I out_h = (h + s.stride - 1) / s.stride;
    const bool same_shape = s.in_channels == s.out_channels && s.stride == 1;
    if (b.skip) {
      if (!same_shape) n += I{s.out_channels} * s.in_channels * out_h * out_h;
    } else {
      const I inner = I{s.in_channels} * b.expansion;
      n += inner * (s.in_channels / b.groups) * h * h;                // 1x1, groups g
      n += inner * b.kernel * b.kernel * out_h * out_h;               // depthwise k x k
      n += I{s.out_channels} * (inner / b.groups) * out_h * out_h;    // 1x1, groups g
    }
    h = out_h;
  }
  n += I{kFbnetHeaderChannels} * FbnetLayerShapes().back().out_channels * h * h;  // header 1x1
  n += I{kFbnetHeaderChannels} * num_classes;  // classifier
  return n;
}

}  // namespace simnas
