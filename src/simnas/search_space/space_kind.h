// The search spaces simnas knows, as the global `--space` flag names them:
//   nb201  NAS-Bench-201 / NATS-Bench topology cells (15,625; the default)
//   fbnet  FBNet as HW-NAS-Bench defines it for CIFAR-100 (22 layers x 9 blocks; HELP's
//          5,000 sampled networks carry the device tables)
#pragma once

#include <string_view>

namespace simnas {

enum class SpaceKind { kNb201, kFbnet };

std::string_view SpaceKindName(SpaceKind kind);  // "nb201" | "fbnet"
// What one architecture of the space is called in messages: "cell" | "network".
std::string_view ArchNoun(SpaceKind kind);
// Throws ParseError naming the text and the known spaces.
SpaceKind ParseSpaceKind(std::string_view text);

}  // namespace simnas
