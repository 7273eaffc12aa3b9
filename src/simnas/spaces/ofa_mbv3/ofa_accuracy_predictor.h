// Once-for-All's accuracy predictor for ofa_mbv3_d234_e346_k357_w1.2 (ofa-mbv3/acc_predictor.pth):
// an MLP 128 -> 400 -> 400 -> 400 -> 1 with ReLU after the first three layers, reading the
// architecture's 128-dim encoding (upstream tutorial/accuracy_predictor.py, spec2feats):
//   [3 i + c]       kernel one-hot of slot i (c: 0, 1, 2 for kernel 3, 5, 7)
//   [60 + 3 i + c]  expansion one-hot of slot i (c: 0, 1, 2 for expansion 3, 4, 6)
//   [120 + b]       resolution one-hot, b = (r - 112) / 16 (1 to 7 for r = 128 to 224)
// A slot beyond its stage's depth has all-zero one-hots.
//
// Its output is a *predicted* ImageNet top-1 accuracy (a fraction), never a measured one: it
// was fitted on a held-out part of ImageNet's training set, not on the validation set, reads a
// few points high, and was trained for r = 160 to 224 only (below that it extrapolates). Every
// report of it says "predicted accuracy".
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

namespace simnas {

inline constexpr int kOfaPredictorInputs = 128;

using OfaPredictorEncoding = std::array<float, kOfaPredictorInputs>;
OfaPredictorEncoding EncodeForOfaPredictor(const OfaArch& arch);

// One fully connected layer: out = weight (rows x cols, row-major) * in + bias.
struct OfaDenseLayer {
  int rows = 0;
  int cols = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

class OfaAccuracyPredictor {
 public:
  // Layers in order, a ReLU between consecutive ones; the first reads kOfaPredictorInputs
  // values and the last gives one. Throws Error naming the layer whose sizes do not chain.
  explicit OfaAccuracyPredictor(std::vector<OfaDenseLayer> layers);

  // The state dict of acc_predictor.pth (keys 0.weight, 0.bias, ..., 6.bias of a
  // torch.nn.Sequential). Throws DataError naming the file and the missing or misshapen tensor.
  static OfaAccuracyPredictor Load(const std::filesystem::path& path);

  // The predicted accuracy (fraction) of an encoding / an architecture. Computed in float32,
  // as upstream runs it.
  double PredictEncoding(const OfaPredictorEncoding& x) const;
  double PredictedAccuracy(const OfaArch& arch) const { return PredictEncoding(EncodeForOfaPredictor(arch)); }

  const std::vector<OfaDenseLayer>& layers() const { return layers_; }

 private:
  std::vector<OfaDenseLayer> layers_;
};

}  // namespace simnas
