#include "simnas/search_space/space_kind.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

std::string_view SpaceKindName(SpaceKind kind) { return kind == SpaceKind::kFbnet ? "fbnet" : "nb201"; }

std::string_view ArchNoun(SpaceKind kind) { return kind == SpaceKind::kFbnet ? "network" : "cell"; }

SpaceKind ParseSpaceKind(std::string_view text) {
  if (text == "nb201") return SpaceKind::kNb201;
  if (text == "fbnet") return SpaceKind::kFbnet;
  throw ParseError(fmt::format("--space {}: expected nb201 or fbnet", text));
}

}  // namespace simnas
