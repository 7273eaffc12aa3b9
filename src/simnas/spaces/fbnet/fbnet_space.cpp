#include "simnas/spaces/fbnet/fbnet_space.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simnas/core/error.h"
#include "simnas/space/candidates.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/spaces/fbnet/fbnet_cost.h"
#include "simnas/spaces/fbnet/fbnet_network.h"
#include "simnas/spaces/fbnet/fbnet_proxy_network.h"

namespace simnas {
namespace {

constexpr std::array<std::string_view, 6> kFbnetTests = {"titan_rtx_64", "gold_6226", "fpga",
                                                         "pixel2",       "raspi4",    "eyeriss"};

class Fbnet final : public Space {
 public:
  std::string_view name() const override { return "fbnet"; }
  std::string_view title() const override { return "FBNet (HW-NAS-Bench, CIFAR-100; HELP's 5,000 networks)"; }
  std::string_view arch_noun() const override { return "network"; }
  int positions() const override { return kFbnetNumLayers; }
  int choices(int /*position*/) const override { return kFbnetNumBlocks; }
  std::string PositionName(int p) const override { return fmt::format("layer {}", p + 1); }
  std::string ChoiceName(int /*p*/, int c) const override {
    return std::string(FbnetBlockName(static_cast<FbnetBlock>(c)));
  }
  int ReferenceChoice(int /*p*/) const override { return static_cast<int>(FbnetBlock::kSkip); }

  std::vector<DataFileSpec> DataFiles() const override { return FbnetDataFiles(); }
  Arch Parse(std::string_view text) const override { return ToArch(FbnetArch::Parse(text)); }
  std::string Format(const Arch& arch) const override { return FbnetOf(arch).ToString(); }

  CandidateSet LoadNumbering(const DataDir& dir) const override {
    std::vector<Arch> archs;
    for (const FbnetArch& a : LoadFbnetArchs(FbnetArchFile(dir))) archs.push_back(ToArch(a));
    return CandidateSet(*this, std::move(archs), "HELP's 5,000 FBNet networks");
  }
  std::vector<std::string> DeviceTableNames(const DataDir& /*dir*/) const override { return FbnetDeviceNames(); }
  LatencyTable LoadDeviceTable(const DataDir& dir, const std::string& device) const override {
    const auto& names = FbnetDeviceNames();
    if (std::find(names.begin(), names.end(), device) == names.end()) {
      throw DataError(fmt::format("no fbnet latency table for device '{}' (HELP's FBNet devices: {})", device,
                                  fmt::join(names, " ")));
    }
    return LoadFbnetLatencyTable(FbnetLatencyFile(dir, device));
  }
  std::vector<std::string> TestDevices() const override {
    return std::vector<std::string>(kFbnetTests.begin(), kFbnetTests.end());
  }
  std::vector<Dataset> Datasets() const override { return {Dataset::kCifar100}; }
  // Chosen from the benchmark group `fbnet` (docs/benchmark-fbnet.md): 0 violations and the
  // lowest proxy regret at 10 probes on the test devices.
  std::string_view DefaultStrategy() const override { return "matched-proxy"; }

  // "layer-onehot": the name FBNet's per-layer one-hot encoding has in the docs and papers.
  std::vector<std::string> EncodingNames() const override { return {"onehot", "layer-onehot"}; }
  int FeatureCount(std::string_view encoding) const override {
    return Space::FeatureCount(encoding == "layer-onehot" ? "onehot" : encoding);
  }
  Eigen::VectorXd Encode(const Arch& arch, std::string_view encoding) const override {
    return Space::Encode(arch, encoding == "layer-onehot" ? "onehot" : encoding);
  }

  // A per-layer table fitted to each train device, mixed by Dirichlet weights, with stage,
  // block and entry noise (docs/fbnet-synthetic.md).
  std::string_view DefaultSyntheticOptions() const override { return "fit=position,sampler=dirichlet"; }
  // A new stage starts where the output channels change.
  std::vector<int> PositionStages() const override {
    std::vector<int> stage(kFbnetNumLayers);
    const auto& shapes = FbnetLayerShapes();
    int s = 0;
    for (std::size_t l = 0; l < stage.size(); ++l) {
      if (l > 0 && shapes[l].out_channels != shapes[l - 1].out_channels) ++s;
      stage[l] = s;
    }
    return stage;
  }

  std::string InputSizeProblem(int n) const override {
    return n < 8 || n > 1024 ? "FBNet networks take 8 to 1024 pixels per side" : "";
  }
  NetworkDescription Describe(const Arch& arch, const NetworkOptions& options) const override {
    FbnetNetworkOptions net;
    net.num_classes = options.num_classes > 0 ? options.num_classes : NumClasses(options.dataset);
    net.input_size = options.input_size > 0 ? options.input_size : simnas::InputSize(options.dataset);
    net.seed = options.seed;
    net.random_batch_norms = options.random_batch_norms;
    return DescribeFbnet(FbnetOf(arch), net);
  }
  // CIFAR-100 only (Datasets()); the proxies' evaluator checks the dataset.
  ProxyNetwork DescribeForProxies(const Arch& arch, Dataset /*dataset*/, std::uint64_t seed) const override {
    const FbnetArch a = FbnetOf(arch);
    ProxyNetwork p{DescribeFbnetForProxies(a, seed), {}, FbnetProxySeed(seed, a)};
    p.feature_layers = FbnetZooFeatureLayers(p.description);
    return p;
  }
  // "macs": the multiply-adds of each network for CIFAR-100 (fbnet_cost.h).
  std::optional<ScoreTable> ComputedScores(const CandidateSet& candidates, std::string_view source) const override {
    if (source != "macs") return std::nullopt;
    std::vector<double> scores;
    scores.reserve(static_cast<std::size_t>(candidates.size()));
    for (const Arch& a : candidates.archs()) scores.push_back(static_cast<double>(FbnetMultiplyAdds(FbnetOf(a))));
    return ScoreTable("multiply-adds", std::move(scores));
  }
};

}  // namespace

const Space& FbnetSpace() {
  static const Fbnet space;
  return space;
}

Arch ToArch(const FbnetArch& arch) {
  Arch::Choices c(kFbnetNumLayers);
  for (int l = 0; l < kFbnetNumLayers; ++l) c[static_cast<std::size_t>(l)] = static_cast<std::uint8_t>(arch.block(l));
  return Arch(FbnetSpace(), std::move(c));
}

FbnetArch FbnetOf(const Arch& arch) {
  if (arch.empty() || &arch.space() != &FbnetSpace()) {
    throw Error(fmt::format("{} is not an FBNet network ({} space)", arch.ToString(),
                            arch.empty() ? "no" : arch.space_name()));
  }
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  for (int l = 0; l < kFbnetNumLayers; ++l) blocks[static_cast<std::size_t>(l)] = static_cast<FbnetBlock>(arch.choice(l));
  return FbnetArch(blocks);
}

}  // namespace simnas
