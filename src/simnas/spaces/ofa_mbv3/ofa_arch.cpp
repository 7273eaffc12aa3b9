#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

template <std::size_t N>
int IndexOf(const std::array<int, N>& values, int v) {
  const auto it = std::find(values.begin(), values.end(), v);
  return it == values.end() ? -1 : static_cast<int>(it - values.begin());
}

bool ValidResolution(int r) {
  return r >= kOfaMinResolution && r <= kOfaMaxResolution && (r - kOfaMinResolution) % kOfaResolutionStep == 0;
}

std::string SlotName(int slot) {
  return fmt::format("stage {} block {}", slot / kOfaMaxDepth + 1, slot % kOfaMaxDepth + 1);
}

constexpr int kFirstKernel = kOfaNumStages;
constexpr int kFirstExpansion = kOfaNumStages + kOfaNumSlots;
constexpr int kResolutionPosition = kOfaNumPositions - 1;

// "k7e6" -> (7, 6).
std::pair<int, int> ParseBlock(std::string_view block, int stage, int j) {
  const auto bad = [&] {
    return ParseError(fmt::format("stage {} block {} is {}, expected k<kernel>e<expansion> such as k5e4", stage + 1,
                                  j + 1, Quoted(block)));
  };
  if (block.size() < 4 || block[0] != 'k') throw bad();
  const std::size_t e = block.find('e');
  if (e == std::string_view::npos) throw bad();
  const auto k = ParseInt(block.substr(1, e - 1));
  const auto x = ParseInt(block.substr(e + 1));
  if (!k || !x || block.substr(1, e - 1).find_first_not_of("0123456789") != std::string_view::npos ||
      block.substr(e + 1).find_first_not_of("0123456789") != std::string_view::npos) {
    throw bad();
  }
  return {static_cast<int>(*k), static_cast<int>(*x)};
}

OfaArch ParseText(std::string_view text) {
  const std::vector<std::string> parts = Split(text, '_');
  if (parts.size() != 1 + kOfaNumStages) {
    throw ParseError(fmt::format("expected r<resolution> and {} stages joined by '_', found {} part(s)", kOfaNumStages,
                                 parts.size()));
  }
  const std::string_view r = parts[0];
  const auto resolution = r.size() > 1 && r[0] == 'r' && r.find_first_not_of("0123456789", 1) == std::string_view::npos
                              ? ParseInt(r.substr(1))
                              : std::nullopt;
  if (!resolution) throw ParseError(fmt::format("{} is not r<resolution>, e.g. r224", Quoted(r)));
  std::array<int, kOfaNumStages> depths{};
  std::array<int, kOfaNumSlots> kernels{}, expansions{};
  kernels.fill(kOfaKernels[0]);
  expansions.fill(kOfaExpansions[0]);
  for (int s = 0; s < kOfaNumStages; ++s) {
    const std::vector<std::string> blocks = Split(parts[static_cast<std::size_t>(s + 1)], '-');
    if (blocks.size() < static_cast<std::size_t>(kOfaDepths.front()) ||
        blocks.size() > static_cast<std::size_t>(kOfaDepths.back())) {
      throw ParseError(fmt::format("stage {} has {} block(s), expected 2, 3 or 4", s + 1, blocks.size()));
    }
    depths[static_cast<std::size_t>(s)] = static_cast<int>(blocks.size());
    for (int j = 0; j < static_cast<int>(blocks.size()); ++j) {
      const auto [k, e] = ParseBlock(blocks[static_cast<std::size_t>(j)], s, j);
      kernels[static_cast<std::size_t>(s * kOfaMaxDepth + j)] = k;
      expansions[static_cast<std::size_t>(s * kOfaMaxDepth + j)] = e;
    }
  }
  return OfaArch(depths, kernels, expansions, static_cast<int>(*resolution));
}

template <std::size_t N>
std::array<int, N> IntArray(const nlohmann::json& j, const char* key) {
  const auto bad = [&] { return ParseError(fmt::format("'{}' must be a list of {} integers", key, N)); };
  if (!j.is_array() || j.size() != N) throw bad();
  std::array<int, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    if (!j[i].is_number_integer()) throw bad();
    out[i] = j[i].get<int>();
  }
  return out;
}

OfaArch ParseDict(std::string_view text) {
  std::string json(text);
  // Python's repr of the data files' dicts uses single quotes.
  if (json.find('"') == std::string::npos) std::replace(json.begin(), json.end(), '\'', '"');
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw ParseError("not a dict {ks: [20], e: [20], d: [5], r: resolution}");
  for (const auto& [key, value] : j.items()) {
    if (key != "ks" && key != "e" && key != "d" && key != "r") {
      throw ParseError(fmt::format("unknown key {} (expected ks, e, d, r)", Quoted(key)));
    }
  }
  for (const char* key : {"ks", "e", "d", "r"}) {
    if (!j.contains(key)) throw ParseError(fmt::format("missing key '{}'", key));
  }
  nlohmann::json r = j["r"];
  if (r.is_array() && r.size() == 1) r = r[0];
  if (!r.is_number_integer()) throw ParseError("'r' must be an integer resolution (or a list of one)");
  return OfaArch(IntArray<kOfaNumStages>(j["d"], "d"), IntArray<kOfaNumSlots>(j["ks"], "ks"),
                 IntArray<kOfaNumSlots>(j["e"], "e"), r.get<int>());
}

}  // namespace

int OfaChoiceCount(int position) {
  if (position < 0 || position >= kOfaNumPositions) {
    throw Error(fmt::format("OFA choice position {} is out of range [0, {})", position, kOfaNumPositions));
  }
  return position == kResolutionPosition ? kOfaNumResolutions : 3;
}

std::string OfaPositionName(int position) {
  OfaChoiceCount(position);  // range check
  if (position < kFirstKernel) return fmt::format("depth[{}]", position + 1);
  if (position == kResolutionPosition) return "resolution";
  const bool kernel = position < kFirstExpansion;
  const int slot = position - (kernel ? kFirstKernel : kFirstExpansion);
  return fmt::format("{}[{}.{}]", kernel ? "kernel" : "expansion", slot / kOfaMaxDepth + 1, slot % kOfaMaxDepth + 1);
}

OfaArch::OfaArch() : resolution_(kOfaMinResolution) {
  depths_.fill(kOfaDepths[0]);
  kernels_.fill(kOfaKernels[0]);
  expansions_.fill(kOfaExpansions[0]);
}

OfaArch::OfaArch(const std::array<int, kOfaNumStages>& depths, const std::array<int, kOfaNumSlots>& kernels,
                 const std::array<int, kOfaNumSlots>& expansions, int resolution)
    : depths_(depths), kernels_(kernels), expansions_(expansions), resolution_(resolution) {
  for (int s = 0; s < kOfaNumStages; ++s) {
    if (IndexOf(kOfaDepths, depths_[static_cast<std::size_t>(s)]) < 0) {
      throw ParseError(fmt::format("stage {} has depth {}, expected 2, 3 or 4", s + 1, depths_[static_cast<std::size_t>(s)]));
    }
  }
  for (int i = 0; i < kOfaNumSlots; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!Used(i)) {
      kernels_[u] = kOfaKernels[0];
      expansions_[u] = kOfaExpansions[0];
      continue;
    }
    if (IndexOf(kOfaKernels, kernels_[u]) < 0) {
      throw ParseError(fmt::format("{} has kernel {}, expected 3, 5 or 7", SlotName(i), kernels_[u]));
    }
    if (IndexOf(kOfaExpansions, expansions_[u]) < 0) {
      throw ParseError(fmt::format("{} has expansion {}, expected 3, 4 or 6", SlotName(i), expansions_[u]));
    }
  }
  if (!ValidResolution(resolution_)) {
    throw ParseError(fmt::format("resolution {} is not one of {}, {}, ..., {}", resolution_, kOfaMinResolution,
                                 kOfaMinResolution + kOfaResolutionStep, kOfaMaxResolution));
  }
}

OfaArch OfaArch::Parse(std::string_view text) {
  const std::string_view t = Trim(text);
  try {
    if (!t.empty() && t.front() == '{') return ParseDict(t);
    return ParseText(t);
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("OFA architecture {}: {}", Quoted(t), e.what()));
  }
}

OfaArch OfaArch::FromChoices(std::span<const int> choices) {
  if (choices.size() != static_cast<std::size_t>(kOfaNumPositions)) {
    throw ParseError(fmt::format("OFA architecture: {} choices, expected {}", choices.size(), kOfaNumPositions));
  }
  const auto choice = [&](int position) {
    const int c = choices[static_cast<std::size_t>(position)];
    if (c < 0 || c >= OfaChoiceCount(position)) {
      throw ParseError(fmt::format("OFA architecture: choice {} at position {} ({}) is out of range [0, {})", c,
                                   position, OfaPositionName(position), OfaChoiceCount(position)));
    }
    return static_cast<std::size_t>(c);
  };
  std::array<int, kOfaNumStages> depths{};
  std::array<int, kOfaNumSlots> kernels{}, expansions{};
  for (int s = 0; s < kOfaNumStages; ++s) depths[static_cast<std::size_t>(s)] = kOfaDepths[choice(s)];
  for (int i = 0; i < kOfaNumSlots; ++i) {
    kernels[static_cast<std::size_t>(i)] = kOfaKernels[choice(kFirstKernel + i)];
    expansions[static_cast<std::size_t>(i)] = kOfaExpansions[choice(kFirstExpansion + i)];
  }
  const int resolution = kOfaMinResolution + kOfaResolutionStep * static_cast<int>(choice(kResolutionPosition));
  return OfaArch(depths, kernels, expansions, resolution);
}

std::string OfaArch::ToString() const {
  std::string out = fmt::format("r{}", resolution_);
  for (int s = 0; s < kOfaNumStages; ++s) {
    for (int j = 0; j < depth(s); ++j) {
      const int slot = s * kOfaMaxDepth + j;
      out += fmt::format("{}k{}e{}", j == 0 ? '_' : '-', kernel(slot), expansion(slot));
    }
  }
  return out;
}

std::string OfaArch::ToDictString() const {
  return fmt::format(R"({{"ks": [{}], "e": [{}], "d": [{}], "r": {}}})", fmt::join(kernels_, ", "),
                     fmt::join(expansions_, ", "), fmt::join(depths_, ", "), resolution_);
}

std::vector<int> OfaArch::Choices() const {
  std::vector<int> out(static_cast<std::size_t>(kOfaNumPositions));
  for (int s = 0; s < kOfaNumStages; ++s) out[static_cast<std::size_t>(s)] = IndexOf(kOfaDepths, depth(s));
  for (int i = 0; i < kOfaNumSlots; ++i) {
    out[static_cast<std::size_t>(kFirstKernel + i)] = IndexOf(kOfaKernels, kernel(i));
    out[static_cast<std::size_t>(kFirstExpansion + i)] = IndexOf(kOfaExpansions, expansion(i));
  }
  out[static_cast<std::size_t>(kResolutionPosition)] = (resolution_ - kOfaMinResolution) / kOfaResolutionStep;
  return out;
}

int OfaArch::NumBlocks() const {
  int n = 0;
  for (int d : depths_) n += d;
  return n;
}

OfaArch UniformOfaArch(int depth, int kernel, int expansion, int resolution) {
  std::array<int, kOfaNumStages> depths{};
  std::array<int, kOfaNumSlots> kernels{}, expansions{};
  depths.fill(depth);
  kernels.fill(kernel);
  expansions.fill(expansion);
  return OfaArch(depths, kernels, expansions, resolution);
}

OfaArch RandomOfaArch(std::mt19937_64& rng) {
  std::vector<int> choices(static_cast<std::size_t>(kOfaNumPositions));
  for (int p = 0; p < kOfaNumPositions; ++p) {
    std::uniform_int_distribution<int> pick(0, OfaChoiceCount(p) - 1);
    choices[static_cast<std::size_t>(p)] = pick(rng);
  }
  return OfaArch::FromChoices(choices);
}

}  // namespace simnas
