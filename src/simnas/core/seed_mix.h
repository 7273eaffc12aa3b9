// Deriving seeds: one step of SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
// number generators", 2014), a bijective 64-bit mix in which every input bit affects every output
// bit. Chained over an architecture's choices it gives each network its own seed from a run's
// seed, so that a value computed for a network depends on (seed, network) only.
#pragma once

#include <cstdint>

namespace simnas {

constexpr std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace simnas
