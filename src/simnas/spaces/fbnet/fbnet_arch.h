// The FBNet search space as HW-NAS-Bench defines it for CIFAR-100 (HELP's 5,000 FBNet
// networks): 22 layers, each one of 9 blocks, in HW-NAS-Bench's order
//   k3_e1 k3_e1_g2 k3_e3 k3_e6 k5_e1 k5_e1_g2 k5_e3 k5_e6 skip
// (kK = depthwise kernel, eE = expansion of the 1x1 conv, g2 = two groups with a channel
// shuffle). The string of an architecture is its 22 block names, layer 1 first, joined by '-'.
// The layer shapes (stages of 1,4,4,4,4,4,1 layers, 16..352 channels, CIFAR strides) are the
// space's too: the network itself is described in network/fbnet_network.h.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

enum class FbnetBlock : std::uint8_t {
  kK3E1 = 0,
  kK3E1G2 = 1,
  kK3E3 = 2,
  kK3E6 = 3,
  kK5E1 = 4,
  kK5E1G2 = 5,
  kK5E3 = 6,
  kK5E6 = 7,
  kSkip = 8,
};

inline constexpr int kFbnetNumBlocks = 9;
inline constexpr int kFbnetNumLayers = 22;

// "k3_e1", ..., "skip".
std::string_view FbnetBlockName(FbnetBlock block);
std::optional<FbnetBlock> FbnetBlockFromName(std::string_view name);

// What a block is made of. A skip block has kernel 0 (identity, or a 1x1 conv when the shape changes).
struct FbnetBlockParams {
  int kernel = 0;     // depthwise kernel, 3 or 5
  int expansion = 1;  // channels of the inner part = input channels * expansion
  int groups = 1;     // groups of both 1x1 convs (2: followed by a channel shuffle)
  bool skip = false;
};
FbnetBlockParams ParamsOf(FbnetBlock block);

// One of the 22 positions: input/output channels and stride (CIFAR setting).
struct FbnetLayerShape {
  int in_channels = 0;
  int out_channels = 0;
  int stride = 1;
};
inline constexpr int kFbnetStemChannels = 16;
inline constexpr int kFbnetHeaderChannels = 1504;
// The 22 layers: stages of 1,4,4,4,4,4,1 layers with 16,24,32,64,112,184,352 channels and
// strides 1,1,2,2,1,2,1 (the stride on a stage's first layer).
const std::array<FbnetLayerShape, kFbnetNumLayers>& FbnetLayerShapes();

class FbnetArch {
 public:
  FbnetArch() { blocks_.fill(FbnetBlock::kK3E1); }
  explicit FbnetArch(const std::array<FbnetBlock, kFbnetNumLayers>& blocks) : blocks_(blocks) {}

  // Parses "k3_e1-skip-...". Throws ParseError naming the layer (1-based) and what was found there.
  static FbnetArch Parse(std::string_view text);
  // From 22 block indices in HW-NAS-Bench's order (HELP's arch.pt rows). Throws ParseError
  // naming the offending position.
  static FbnetArch FromIndices(const std::vector<long long>& indices);

  std::string ToString() const;
  FbnetBlock block(int layer) const { return blocks_.at(static_cast<std::size_t>(layer)); }
  const std::array<FbnetBlock, kFbnetNumLayers>& blocks() const { return blocks_; }
  std::array<int, kFbnetNumLayers> Indices() const;

  auto operator<=>(const FbnetArch&) const = default;

 private:
  std::array<FbnetBlock, kFbnetNumLayers> blocks_;
};

// Every layer the same block.
FbnetArch UniformFbnetArch(FbnetBlock block);
// Each layer's block drawn uniformly and independently (all 9^22 architectures equally likely).
FbnetArch RandomFbnetArch(std::mt19937_64& rng);
// `count` random architectures from a seed (the same seed gives the same list).
std::vector<FbnetArch> SampleFbnetArchs(std::uint64_t seed, int count);

}  // namespace simnas
