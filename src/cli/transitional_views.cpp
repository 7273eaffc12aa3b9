#include "transitional_views.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas::cli {

Cell ResolveCell(const CellArgs& args, const SearchSpace& space, std::string_view command) {
  RequireArch(args, command);
  try {
    return args.arch ? Cell::Parse(*args.arch) : space.CellAt(*args.index);
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("{}: {}", args.arch ? "--arch" : "--index", e.what()));
  }
}

std::string TransitionalViews::FbnetObjectiveSource(const ProxyArgs& args) {
  return args.aggregate != ProxyArgs{}.aggregate ? args.aggregate : kFbnetDefaultScoreSource;
}

}  // namespace simnas::cli
