// The built-in search spaces, one line each (a new space: its folder, and one line here).
#include "simnas/space/registry.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/spaces/ofa_mbv3/ofa_space.h"

namespace simnas {

std::vector<const Space*> BuiltInSpaces() { return {&Nb201Space(), &FbnetSpace(), &OfaMbv3Space()}; }

}  // namespace simnas
