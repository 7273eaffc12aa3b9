#include "simnas/spaces/ofa_mbv3/ofa_space.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simnas/core/error.h"
#include "simnas/core/seed_mix.h"
#include "simnas/data/dataset.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/ofa_mbv3/ofa_accuracy_predictor.h"
#include "simnas/spaces/ofa_mbv3/ofa_data.h"
#include "simnas/spaces/ofa_mbv3/ofa_network.h"
#include "simnas/spaces/ofa_mbv3/ofa_note10_lut.h"

namespace simnas {
namespace {

constexpr int kFirstKernel = kOfaNumStages;
constexpr int kFirstExpansion = kOfaNumStages + kOfaNumSlots;
constexpr int kResolutionPosition = kOfaNumPositions - 1;

std::size_t U(int i) { return static_cast<std::size_t>(i); }

// The Note10 lookup table as a device of the space: the sum of the operators' means.
class Note10Device final : public SpaceDevice {
 public:
  explicit Note10Device(OfaNote10LookupTable lut) : lut_(std::move(lut)) {}
  double LatencyMs(const Arch& arch) const override {
    const OfaArch a = OfaOf(arch);
    try {
      return lut_.LatencyMs(a);
    } catch (const DataError& e) {
      throw DeviceError(e.what());
    }
  }

 private:
  OfaNote10LookupTable lut_;
};

class OfaMbv3 final : public Space {
 public:
  std::string_view name() const override { return "ofa-mbv3"; }
  std::string_view title() const override {
    return "Once-for-All MobileNet-V3 w1.2 (ImageNet; HELP's 5,000 networks)";
  }
  std::string_view arch_noun() const override { return "network"; }

  int positions() const override { return kOfaNumPositions; }
  int choices(int position) const override { return OfaChoiceCount(position); }
  std::string PositionName(int position) const override { return OfaPositionName(position); }
  std::string ChoiceName(int position, int choice) const override {
    OfaChoiceCount(position);  // range check
    if (position < kFirstKernel) return std::to_string(kOfaDepths.at(U(choice)));
    if (position == kResolutionPosition) return std::to_string(kOfaMinResolution + kOfaResolutionStep * choice);
    return std::to_string(position < kFirstExpansion ? kOfaKernels.at(U(choice)) : kOfaExpansions.at(U(choice)));
  }
  void Canonicalize(Arch::Choices& c) const override {
    for (int s = 0; s < kOfaNumStages; ++s) {
      const int depth = kOfaDepths.at(c.at(U(s)));
      for (int j = depth; j < kOfaMaxDepth; ++j) {
        c.at(U(kFirstKernel + s * kOfaMaxDepth + j)) = 0;
        c.at(U(kFirstExpansion + s * kOfaMaxDepth + j)) = 0;
      }
    }
  }
  // Canonical forms collapse combinations (and the count, ~5.4e20, is beyond 2^62 anyway).
  std::optional<std::int64_t> SpaceSize() const override { return std::nullopt; }

  Arch Parse(std::string_view text) const override { return ToArch(OfaArch::Parse(text)); }
  std::string Format(const Arch& arch) const override { return OfaOf(arch).ToString(); }

  Arch Mutate(const Arch& arch, std::mt19937_64& rng) const override {
    CheckSpace(arch);
    std::vector<int> used;
    for (int s = 0; s < kOfaNumStages; ++s) used.push_back(s);
    for (int slot = 0; slot < kOfaNumSlots; ++slot) {
      if (slot % kOfaMaxDepth < kOfaDepths.at(arch.choice(slot / kOfaMaxDepth))) {
        used.push_back(kFirstKernel + slot);
        used.push_back(kFirstExpansion + slot);
      }
    }
    used.push_back(kResolutionPosition);
    std::uniform_int_distribution<std::size_t> pick_position(0, used.size() - 1);
    const int p = used[pick_position(rng)];
    std::uniform_int_distribution<int> pick_choice(0, choices(p) - 2);
    int c = pick_choice(rng);
    if (c >= arch.choice(p)) ++c;  // skip the current choice
    Arch::Choices out = arch.choices();
    out[U(p)] = static_cast<std::uint8_t>(c);
    Canonicalize(out);
    return Arch(*this, std::move(out));
  }

  std::vector<DataFileSpec> DataFiles() const override { return OfaDataFiles(); }
  CandidateSet LoadNumbering(const DataDir& dir) const override {
    std::vector<Arch> archs;
    for (const OfaArch& a : LoadOfaArchs(OfaArchFile(dir))) archs.push_back(ToArch(a));
    return CandidateSet(*this, std::move(archs), "HELP's 5,000 OFA MobileNet-V3 networks");
  }
  std::vector<std::string> DeviceTableNames(const DataDir& /*dir*/) const override { return OfaDeviceNames(); }
  LatencyTable LoadDeviceTable(const DataDir& dir, const std::string& device) const override {
    const auto& names = OfaDeviceNames();
    if (std::find(names.begin(), names.end(), device) == names.end()) {
      throw DataError(fmt::format("no ofa-mbv3 latency table for device '{}' (HELP's OFA tables: {}; the space's own "
                                  "devices: {})",
                                  device, fmt::join(names, " "), fmt::join(OwnDeviceNames(), " ")));
    }
    return LoadOfaLatencyTable(OfaLatencyFile(dir, device));
  }
  std::vector<std::string> TestDevices() const override {
    return std::vector<std::string>(kOfaTestDevices.begin(), kOfaTestDevices.end());
  }
  std::vector<Dataset> Datasets() const override { return {Dataset::kImageNet}; }

  std::vector<std::string> OwnDeviceNames() const override { return {std::string(kOfaNote10Device)}; }
  std::unique_ptr<SpaceDevice> OpenOwnDevice(const std::string& name, const SpaceData& data) const override {
    if (name != kOfaNote10Device) return nullptr;
    return std::make_unique<Note10Device>(OfaNote10LookupTable::Load(OfaNote10Dir(data.dir())));
  }

  std::vector<std::string> ScoreSources() const override { return {std::string(kOfaScorePredictedAccuracy)}; }
  std::string ScoreName(std::string_view source) const override {
    return source == kOfaScorePredictedAccuracy ? "predicted accuracy" : std::string(source);
  }
  std::vector<double> Scores(std::string_view source, const CandidateSet& candidates,
                             const SpaceData& data) const override {
    if (source != kOfaScorePredictedAccuracy) return Space::Scores(source, candidates, data);
    const OfaAccuracyPredictor predictor = OfaAccuracyPredictor::Load(OfaPredictorFile(data.dir()));
    std::vector<double> out;
    out.reserve(U(candidates.size()));
    for (const Arch& a : candidates.archs()) out.push_back(100.0 * predictor.PredictedAccuracy(OfaOf(a)));
    return out;
  }

  NetworkDescription Describe(const Arch& arch, const NetworkOptions& options) const override {
    OfaNetworkOptions net;
    net.num_classes = options.num_classes > 0 ? options.num_classes : NumClasses(options.dataset);
    net.input_size = options.input_size;  // 0: the architecture's resolution
    net.seed = options.seed;
    net.random_batch_norms = options.random_batch_norms;
    return DescribeOfaMbv3(OfaOf(arch), net);
  }
  // ImageNet-1k's network (1000 classes) at the architecture's resolution, initialized as FreeREA
  // does (Once-for-All's convs are already Kaiming normal fan_out; the classifier is redrawn),
  // from a seed of (seed, architecture) only; the zoo's layer features are the blocks' outputs.
  ProxyNetwork DescribeForProxies(const Arch& arch, Dataset dataset, std::uint64_t seed) const override {
    if (dataset != Dataset::kImageNet) {
      throw ParseError(fmt::format("ofa-mbv3 networks are scored for {} only", DatasetName(Dataset::kImageNet)));
    }
    CheckSpace(arch);
    std::uint64_t h = SplitMix64(seed ^ 0x6f66616d627633ULL);  // "ofambv3": not the other spaces' seeds
    for (std::uint8_t c : arch.choices()) h = SplitMix64(h ^ c);
    OfaNetworkOptions net;
    net.num_classes = NumClasses(Dataset::kImageNet);
    net.seed = h & 0x7fffffffffffffffULL;
    net.proxy_classifier = true;
    ProxyNetwork p{DescribeOfaMbv3(OfaOf(arch), net), {}, net.seed};
    p.feature_layers = OfaZooFeatureLayers(p.description);
    return p;
  }
  int InputSize(const Arch& arch, Dataset /*dataset*/) const override { return OfaOf(arch).resolution(); }
  bool ArchitecturesCarryInputSize() const override { return true; }

  // Synthetic devices: positions offer different choices (depth, kernel, expansion, resolution),
  // so a shared cost per choice cannot fit; a per-position table fitted to each train device,
  // mixed by Dirichlet weights, the layers of one stage scaled together; the kernel and
  // expansion of a slot beyond its stage's depth do no work.
  std::string_view DefaultSyntheticOptions() const override { return "fit=position,sampler=dirichlet"; }
  std::vector<int> PositionStages() const override {
    std::vector<int> stage(static_cast<std::size_t>(kOfaNumPositions));
    for (int s = 0; s < kOfaNumStages; ++s) stage[U(s)] = s;
    for (int slot = 0; slot < kOfaNumSlots; ++slot) {
      stage[U(kFirstKernel + slot)] = slot / kOfaMaxDepth;
      stage[U(kFirstExpansion + slot)] = slot / kOfaMaxDepth;
    }
    stage[U(kResolutionPosition)] = kOfaNumStages;
    return stage;
  }
  bool HasDeadPositions() const override { return true; }
  std::vector<std::uint8_t> LivePositions(const Arch& arch) const override {
    const OfaArch a = OfaOf(arch);
    std::vector<std::uint8_t> live(static_cast<std::size_t>(kOfaNumPositions), 1);
    for (int slot = 0; slot < kOfaNumSlots; ++slot) {
      if (!a.Used(slot)) live[U(kFirstKernel + slot)] = live[U(kFirstExpansion + slot)] = 0;
    }
    return live;
  }

  std::string InputSizeProblem(int n) const override {
    return n < 32 || n > 1024 ? "ofa-mbv3 networks take 32 to 1024 pixels per side" : "";
  }
};

}  // namespace

const Space& OfaMbv3Space() {
  static const OfaMbv3 space;
  return space;
}

Arch ToArch(const OfaArch& arch) {
  const std::vector<int> choices = arch.Choices();
  Arch::Choices c(choices.size());
  for (std::size_t p = 0; p < choices.size(); ++p) c[p] = static_cast<std::uint8_t>(choices[p]);
  return Arch(OfaMbv3Space(), std::move(c));
}

OfaArch OfaOf(const Arch& arch) {
  if (arch.empty() || &arch.space() != &OfaMbv3Space()) {
    throw Error(fmt::format("{} is not an OFA MobileNet-V3 network ({} space)", arch.ToString(),
                            arch.empty() ? "no" : arch.space_name()));
  }
  std::vector<int> choices(arch.choices().begin(), arch.choices().end());
  return OfaArch::FromChoices(choices);
}

}  // namespace simnas
