// The search spaces simnas knows, by name: the spaces listed in spaces/spaces.cpp (one line
// each), plus any a program registers at run time (tests register a toy space).
#pragma once

#include <string_view>
#include <vector>

#include "simnas/space/space.h"

namespace simnas {

// The name of the space used when none is given.
inline constexpr std::string_view kDefaultSpaceName = "nb201";

// Every known space, built-in ones first, in registration order.
std::vector<const Space*> Spaces();
// The space called `name`. Throws ParseError in one line listing the known names.
const Space& FindSpace(std::string_view name);
const Space& DefaultSpace();
// Adds `space` (which must outlive every use). Throws Error when the name is taken.
void RegisterSpace(const Space& space);
// Removes a space registered at run time (tests); built-in spaces stay.
void UnregisterSpace(const Space& space);

// The built-in spaces, defined by the list in spaces/spaces.cpp.
std::vector<const Space*> BuiltInSpaces();

}  // namespace simnas
