#include "simnas/spaces/ofa_mbv3/ofa_accuracy_predictor.h"

#include <algorithm>
#include <map>

#include <Eigen/Core>
#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/spaces/ofa_mbv3/ofa_pickle.h"

namespace simnas {
namespace {

constexpr int kResolutionBinBase = 112;
constexpr int kResolutionBinWidth = 16;
constexpr int kResolutionBins = 8;
constexpr int kKernelBase = 0;
constexpr int kExpansionBase = 3 * kOfaNumSlots;
constexpr int kResolutionBase = 6 * kOfaNumSlots;
static_assert(kResolutionBase + kResolutionBins == kOfaPredictorInputs);

template <std::size_t N>
int IndexOf(const std::array<int, N>& values, int v) {
  return static_cast<int>(std::find(values.begin(), values.end(), v) - values.begin());
}

// The layer sizes of upstream's predictor (torch.nn.Sequential indices 0, 2, 4, 6).
constexpr std::array<int, 4> kSequentialIndices = {0, 2, 4, 6};
constexpr std::array<int, 5> kWidths = {kOfaPredictorInputs, 400, 400, 400, 1};

}  // namespace

OfaPredictorEncoding EncodeForOfaPredictor(const OfaArch& arch) {
  OfaPredictorEncoding x{};
  for (int i = 0; i < kOfaNumSlots; ++i) {
    if (!arch.Used(i)) continue;
    x[static_cast<std::size_t>(kKernelBase + 3 * i + IndexOf(kOfaKernels, arch.kernel(i)))] = 1.0f;
    x[static_cast<std::size_t>(kExpansionBase + 3 * i + IndexOf(kOfaExpansions, arch.expansion(i)))] = 1.0f;
  }
  const int bin = (arch.resolution() - kResolutionBinBase) / kResolutionBinWidth;
  x[static_cast<std::size_t>(kResolutionBase + bin)] = 1.0f;
  return x;
}

OfaAccuracyPredictor::OfaAccuracyPredictor(std::vector<OfaDenseLayer> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw Error("OFA accuracy predictor: no layers");
  int in = kOfaPredictorInputs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const OfaDenseLayer& d = layers_[l];
    const bool last = l + 1 == layers_.size();
    if (d.cols != in || d.rows < 1 || (last && d.rows != 1) ||
        d.weight.size() != static_cast<std::size_t>(d.rows) * static_cast<std::size_t>(d.cols) ||
        d.bias.size() != static_cast<std::size_t>(d.rows)) {
      throw Error(fmt::format("OFA accuracy predictor: layer {} is {}x{} with {} weights and {} biases; expected {} "
                              "inputs{}",
                              l, d.rows, d.cols, d.weight.size(), d.bias.size(), in, last ? " and one output" : ""));
    }
    in = d.rows;
  }
}

OfaAccuracyPredictor OfaAccuracyPredictor::Load(const std::filesystem::path& path) {
  std::map<std::string, PickledTensor> tensors;
  for (auto& [name, tensor] : LoadLegacyTorchStateDict(path)) tensors[name] = std::move(tensor);
  std::vector<OfaDenseLayer> layers;
  for (std::size_t l = 0; l < kSequentialIndices.size(); ++l) {
    const std::int64_t rows = kWidths[l + 1], cols = kWidths[l];
    const auto take = [&](const std::string& key, const std::vector<std::int64_t>& shape) {
      const auto it = tensors.find(key);
      if (it == tensors.end()) throw DataError(fmt::format("{}: no tensor {}", path.string(), key));
      if (it->second.shape != shape) {
        throw DataError(fmt::format("{}: tensor {} has shape [{}], expected [{}]", path.string(), key,
                                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", ")));
      }
      return std::move(it->second.values);
    };
    OfaDenseLayer d;
    d.rows = static_cast<int>(rows);
    d.cols = static_cast<int>(cols);
    d.weight = take(fmt::format("{}.weight", kSequentialIndices[l]), {rows, cols});
    d.bias = take(fmt::format("{}.bias", kSequentialIndices[l]), {rows});
    layers.push_back(std::move(d));
  }
  if (tensors.size() != 2 * kSequentialIndices.size()) {
    throw DataError(fmt::format("{}: {} tensors, expected the {} of an MLP 128-400-400-400-1", path.string(),
                                tensors.size(), 2 * kSequentialIndices.size()));
  }
  return OfaAccuracyPredictor(std::move(layers));
}

double OfaAccuracyPredictor::PredictEncoding(const OfaPredictorEncoding& x) const {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::VectorXf h = Eigen::Map<const Eigen::VectorXf>(x.data(), kOfaPredictorInputs);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const OfaDenseLayer& d = layers_[l];
    const Eigen::Map<const RowMajor> w(d.weight.data(), d.rows, d.cols);
    Eigen::VectorXf next = w * h + Eigen::Map<const Eigen::VectorXf>(d.bias.data(), d.rows);
    if (l + 1 < layers_.size()) next = next.cwiseMax(0.0f);
    h = std::move(next);
  }
  return static_cast<double>(h[0]);
}

}  // namespace simnas
