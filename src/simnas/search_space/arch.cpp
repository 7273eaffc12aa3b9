#include "simnas/search_space/arch.h"

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {

SpaceKind Arch::space() const { return is_fbnet() ? SpaceKind::kFbnet : SpaceKind::kNb201; }

std::string Arch::ToString() const {
  return std::visit([](const auto& value) { return value.ToString(); }, value_);
}

namespace {

[[noreturn]] void WrongSpace(const Arch& arch, SpaceKind wanted) {
  throw Error(fmt::format("{} is a {} architecture, not a {} one", arch.ToString(), SpaceKindName(arch.space()),
                          SpaceKindName(wanted)));
}

}  // namespace

const Cell& Arch::cell() const {
  if (!is_cell()) WrongSpace(*this, SpaceKind::kNb201);
  return std::get<Cell>(value_);
}

const FbnetArch& Arch::fbnet() const {
  if (!is_fbnet()) WrongSpace(*this, SpaceKind::kFbnet);
  return std::get<FbnetArch>(value_);
}

Arch ParseArch(SpaceKind space, std::string_view text) {
  switch (space) {
    case SpaceKind::kNb201:
      return Cell::Parse(text);
    case SpaceKind::kFbnet:
      return FbnetArch::Parse(text);
  }
  throw ParseError(fmt::format("unknown search space for {}", text));
}

}  // namespace simnas
