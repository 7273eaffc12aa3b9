// One architecture of any search space: the handle a latency travels with, from Device::Measure
// through the ProbeSession to the probe store and the answer. It holds its space and one choice
// per position of that space (space.h), in the space's canonical form, so two handles are equal
// exactly when they are the same architecture. Only the space's own folder (spaces/<name>/)
// knows what the choices mean; generic code uses space(), choices(), ToString() and comparison.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace simnas {

class Space;

class Arch {
 public:
  using Choices = std::vector<std::uint8_t>;

  // An empty handle (no space); only for containers and default-constructed records.
  Arch() = default;
  // `choices` must be valid and canonical for `space` (Space::MakeArch checks and canonicalizes
  // them; this constructor only stores them).
  Arch(const Space& space, Choices choices) : space_(&space), choices_(std::move(choices)) {}

  bool empty() const { return space_ == nullptr; }
  // Throws Error for an empty handle.
  const Space& space() const;
  // The space's name ("" for an empty handle).
  std::string_view space_name() const;
  const Choices& choices() const { return choices_; }
  int choice(int position) const { return choices_.at(static_cast<std::size_t>(position)); }
  // The space's canonical text ("" for an empty handle).
  std::string ToString() const;

  // Ordered by space name, then choices (a deterministic order across processes).
  std::strong_ordering operator<=>(const Arch& other) const;
  bool operator==(const Arch& other) const { return space_ == other.space_ && choices_ == other.choices_; }

 private:
  const Space* space_ = nullptr;
  Choices choices_;
};

}  // namespace simnas
