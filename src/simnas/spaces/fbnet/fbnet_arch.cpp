#include "simnas/spaces/fbnet/fbnet_arch.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {

namespace {

constexpr std::array<std::string_view, kFbnetNumBlocks> kNames = {"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1",
                                                                  "k5_e1_g2", "k5_e3", "k5_e6", "skip"};

std::string AllNames() {
  std::string out;
  for (std::string_view n : kNames) {
    if (!out.empty()) out += ' ';
    out += n;
  }
  return out;
}

std::array<FbnetLayerShape, kFbnetNumLayers> BuildShapes() {
  constexpr int kLayers[] = {1, 4, 4, 4, 4, 4, 1};
  constexpr int kChannels[] = {16, 24, 32, 64, 112, 184, 352};
  constexpr int kStrides[] = {1, 1, 2, 2, 1, 2, 1};
  std::array<FbnetLayerShape, kFbnetNumLayers> shapes{};
  std::size_t layer = 0;
  int in = kFbnetStemChannels;
  for (int stage = 0; stage < 7; ++stage) {
    for (int i = 0; i < kLayers[stage]; ++i) {
      shapes[layer++] = {in, kChannels[stage], i == 0 ? kStrides[stage] : 1};
      in = kChannels[stage];
    }
  }
  return shapes;
}

}  // namespace

std::string_view FbnetBlockName(FbnetBlock block) { return kNames.at(static_cast<std::size_t>(block)); }

std::optional<FbnetBlock> FbnetBlockFromName(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<FbnetBlock>(i);
  }
  return std::nullopt;
}

FbnetBlockParams ParamsOf(FbnetBlock block) {
  switch (block) {
    case FbnetBlock::kK3E1: return {3, 1, 1, false};
    case FbnetBlock::kK3E1G2: return {3, 1, 2, false};
    case FbnetBlock::kK3E3: return {3, 3, 1, false};
    case FbnetBlock::kK3E6: return {3, 6, 1, false};
    case FbnetBlock::kK5E1: return {5, 1, 1, false};
    case FbnetBlock::kK5E1G2: return {5, 1, 2, false};
    case FbnetBlock::kK5E3: return {5, 3, 1, false};
    case FbnetBlock::kK5E6: return {5, 6, 1, false};
    case FbnetBlock::kSkip: return {0, 1, 1, true};
  }
  return {};
}

const std::array<FbnetLayerShape, kFbnetNumLayers>& FbnetLayerShapes() {
  static const std::array<FbnetLayerShape, kFbnetNumLayers> shapes = BuildShapes();
  return shapes;
}

FbnetArch FbnetArch::Parse(std::string_view text) {
  const std::vector<std::string> tokens = Split(text, '-');
  if (tokens.size() != static_cast<std::size_t>(kFbnetNumLayers)) {
    throw ParseError(fmt::format("malformed FBNet architecture {}: {} block names separated by '-', expected {}",
                                 Quoted(text), tokens.size(), kFbnetNumLayers));
  }
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto block = FbnetBlockFromName(tokens[i]);
    if (!block) {
      throw ParseError(fmt::format("malformed FBNet architecture: layer {} is {}, expected one of {}", i + 1,
                                   Quoted(tokens[i]), AllNames()));
    }
    blocks[i] = *block;
  }
  return FbnetArch(blocks);
}

FbnetArch FbnetArch::FromIndices(const std::vector<long long>& indices) {
  if (indices.size() != static_cast<std::size_t>(kFbnetNumLayers)) {
    throw ParseError(fmt::format("FBNet architecture has {} block indices, expected {}", indices.size(),
                                 kFbnetNumLayers));
  }
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < 0 || indices[i] >= kFbnetNumBlocks) {
      throw ParseError(fmt::format("FBNet architecture: layer {} has block index {}, expected 0..{}", i + 1,
                                   indices[i], kFbnetNumBlocks - 1));
    }
    blocks[i] = static_cast<FbnetBlock>(indices[i]);
  }
  return FbnetArch(blocks);
}

std::string FbnetArch::ToString() const {
  std::string out;
  for (FbnetBlock b : blocks_) {
    if (!out.empty()) out += '-';
    out += FbnetBlockName(b);
  }
  return out;
}

std::array<int, kFbnetNumLayers> FbnetArch::Indices() const {
  std::array<int, kFbnetNumLayers> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int>(blocks_[i]);
  return out;
}

FbnetArch UniformFbnetArch(FbnetBlock block) {
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  blocks.fill(block);
  return FbnetArch(blocks);
}

FbnetArch RandomFbnetArch(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, kFbnetNumBlocks - 1);
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  for (FbnetBlock& b : blocks) b = static_cast<FbnetBlock>(pick(rng));
  return FbnetArch(blocks);
}

std::vector<FbnetArch> SampleFbnetArchs(std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  std::vector<FbnetArch> out;
  for (int i = 0; i < count; ++i) out.push_back(RandomFbnetArch(rng));
  return out;
}

}  // namespace simnas
