#include "simnas/spaces/fbnet/fbnet_numbering.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/spaces/fbnet/fbnet_space.h"

namespace simnas {

namespace {

std::vector<Arch> Handles(const std::vector<FbnetArch>& archs) {
  std::vector<Arch> out;
  out.reserve(archs.size());
  for (const FbnetArch& a : archs) out.push_back(ToArch(a));
  return out;
}

}  // namespace

FbnetNumbering::FbnetNumbering(std::vector<FbnetArch> archs)
    : archs_(std::move(archs)), candidates_(FbnetSpace(), Handles(archs_), "HELP's FBNet networks") {
  for (std::size_t i = 0; i < archs_.size(); ++i) row_.emplace(archs_[i], static_cast<int>(i));
}

int FbnetNumbering::IndexOf(const FbnetArch& arch) const {
  const auto it = row_.find(arch);
  return it == row_.end() ? -1 : it->second;
}

const FbnetArch& FbnetNumbering::At(int index) const {
  if (index < 0 || index >= size()) {
    throw ParseError(fmt::format("--index {}: expected 0..{} (HELP's FBNet networks)", index, size() - 1));
  }
  return archs_[static_cast<std::size_t>(index)];
}

}  // namespace simnas
