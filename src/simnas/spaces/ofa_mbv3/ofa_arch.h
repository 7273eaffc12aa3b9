// An architecture of the Once-for-All MobileNet-V3 space (Once-for-All's
// ofa_mbv3_d234_e346_k357_w1.2, the space of HELP's 5,000 OFA networks): 5 stages of 2, 3 or 4
// MBConv blocks, each block with its own depthwise kernel (3, 5, 7) and expansion ratio
// (3, 4, 6), and the input resolution (128 to 224 pixels in steps of 4). The network itself is
// described in ofa_network.h.
//
// Text form (one shell- and CSV-safe argument, what ToString prints and Parse reads back):
//   r<resolution>_<stage 1>_<stage 2>_<stage 3>_<stage 4>_<stage 5>
// where a stage is its blocks joined by '-', a block `k<kernel>e<expansion>`; the number of
// blocks is the stage's depth. Example (HELP's architecture 0):
//   r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3
// Parse also reads the form of the data files, a dict {ks: [20], e: [20], d: [5], r} in JSON
// or Python syntax (r may be an int or a one-element list); the kernel and expansion of a slot
// beyond its stage's depth are ignored there.
//
// Slot `4 s + j` is block j of stage s (0-based). A slot beyond its stage's depth is unused; an
// OfaArch keeps its unused slots at kernel 3 and expansion 3 (choice 0), so two architectures
// compare equal exactly when they describe the same network.
//
// Choices: the architecture as one small integer per position (kOfaNumPositions of them):
//   0-4    depth of stage 1-5, index into {2, 3, 4}
//   5-24   kernel of slot 0-19, index into {3, 5, 7}
//   25-44  expansion of slot 0-19, index into {3, 4, 6}
//   45     resolution, (r - 128) / 4 in [0, 24]
// Choice 0 everywhere is the smallest network at resolution 128.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

inline constexpr int kOfaNumStages = 5;
inline constexpr int kOfaMaxDepth = 4;
inline constexpr int kOfaNumSlots = kOfaNumStages * kOfaMaxDepth;
inline constexpr std::array<int, 3> kOfaDepths = {2, 3, 4};
inline constexpr std::array<int, 3> kOfaKernels = {3, 5, 7};
inline constexpr std::array<int, 3> kOfaExpansions = {3, 4, 6};
inline constexpr int kOfaMinResolution = 128;
inline constexpr int kOfaMaxResolution = 224;
inline constexpr int kOfaResolutionStep = 4;
inline constexpr int kOfaNumResolutions = (kOfaMaxResolution - kOfaMinResolution) / kOfaResolutionStep + 1;
inline constexpr int kOfaNumPositions = kOfaNumStages + 2 * kOfaNumSlots + 1;

// Number of choices at a position of the choice vector (3, or 25 for the resolution).
int OfaChoiceCount(int position);
// "depth[2]", "kernel[3.1]" (stage 3, block 1; 1-based), "expansion[5.4]", "resolution".
std::string OfaPositionName(int position);

class OfaArch {
 public:
  // The smallest network (depth 2, kernel 3, expansion 3 everywhere) at resolution 128.
  OfaArch();
  // Checks every value (a wrong one throws ParseError naming the stage or slot and the value;
  // unused slots are not checked) and resets the unused slots.
  OfaArch(const std::array<int, kOfaNumStages>& depths, const std::array<int, kOfaNumSlots>& kernels,
          const std::array<int, kOfaNumSlots>& expansions, int resolution);

  // The text form or the dict form (header comment). Throws ParseError naming what is wrong
  // and where.
  static OfaArch Parse(std::string_view text);
  // From the choice vector (kOfaNumPositions entries; the choices of unused slots are ignored).
  // Throws ParseError naming a position whose choice is out of range.
  static OfaArch FromChoices(std::span<const int> choices);

  std::string ToString() const;
  // {"ks": [...], "e": [...], "d": [...], "r": 204}: the data files' form (JSON), unused slots
  // as kernel 3 and expansion 3.
  std::string ToDictString() const;
  std::vector<int> Choices() const;

  int depth(int stage) const { return depths_.at(static_cast<std::size_t>(stage)); }
  int kernel(int slot) const { return kernels_.at(static_cast<std::size_t>(slot)); }
  int expansion(int slot) const { return expansions_.at(static_cast<std::size_t>(slot)); }
  int resolution() const { return resolution_; }
  // Whether slot `4 s + j` is within its stage's depth.
  bool Used(int slot) const { return slot % kOfaMaxDepth < depth(slot / kOfaMaxDepth); }
  // Number of MBConv blocks (the sum of the depths).
  int NumBlocks() const;

  const std::array<int, kOfaNumStages>& depths() const { return depths_; }
  const std::array<int, kOfaNumSlots>& kernels() const { return kernels_; }
  const std::array<int, kOfaNumSlots>& expansions() const { return expansions_; }

  auto operator<=>(const OfaArch&) const = default;

 private:
  std::array<int, kOfaNumStages> depths_;
  std::array<int, kOfaNumSlots> kernels_;
  std::array<int, kOfaNumSlots> expansions_;
  int resolution_;
};

// Every stage at `depth`, every block with `kernel` and `expansion`.
OfaArch UniformOfaArch(int depth, int kernel, int expansion, int resolution);
// Each depth, used block's kernel and expansion, and the resolution drawn uniformly and
// independently (the same generator state gives the same architecture).
OfaArch RandomOfaArch(std::mt19937_64& rng);

}  // namespace simnas
