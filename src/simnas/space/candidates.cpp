#include "simnas/space/candidates.h"

#include <cmath>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

CandidateSet::CandidateSet(const Space& space, std::vector<Arch> archs, std::string source, std::vector<int> numbers)
    : space_(&space), archs_(std::move(archs)), numbers_(std::move(numbers)), source_(std::move(source)) {
  if (!numbers_.empty() && numbers_.size() != archs_.size()) {
    throw Error(fmt::format("{}: {} numbers for {} {}s", source_, numbers_.size(), archs_.size(), space.arch_noun()));
  }
  auto position = std::make_shared<std::map<Arch, int>>();
  for (std::size_t i = 0; i < archs_.size(); ++i) {
    const Arch& a = archs_[i];
    if (a.empty() || &a.space() != space_) {
      throw Error(fmt::format("{}: candidate {} is not a {} {}", source_, i, space.name(), space.arch_noun()));
    }
    position->emplace(a, static_cast<int>(i));  // a repeated architecture keeps its first position
  }
  position_ = std::move(position);
}

const Arch& CandidateSet::at(int i) const {
  if (i < 0 || i >= size()) {
    throw ParseError(fmt::format("{} index {} is outside [0, {}] ({})", space_ == nullptr ? "candidate" : space_->arch_noun(),
                                 i, size() - 1, source_));
  }
  return archs_[static_cast<std::size_t>(i)];
}

int CandidateSet::IndexOf(const Arch& arch) const {
  if (!position_) return -1;
  const auto it = position_->find(arch);
  return it == position_->end() ? -1 : it->second;
}

bool CandidateSet::complete() const {
  if (space_ == nullptr) return false;
  const std::optional<std::int64_t> n = space_->SpaceSize();
  return n && *n == static_cast<std::int64_t>(archs_.size());
}

CandidateSet CandidateSet::Subset(const std::vector<int>& positions, std::string source) const {
  std::vector<Arch> archs;
  std::vector<int> numbers;
  archs.reserve(positions.size());
  numbers.reserve(positions.size());
  for (int p : positions) {
    archs.push_back(at(p));
    numbers.push_back(NumberOf(p));
  }
  return CandidateSet(*space_, std::move(archs), std::move(source), std::move(numbers));
}

std::vector<double> CandidateSet::Gather(const std::vector<double>& by_number) const {
  if (numbers_.empty()) return by_number;
  std::vector<double> out;
  out.reserve(numbers_.size());
  for (int n : numbers_) {
    out.push_back(n >= 0 && static_cast<std::size_t>(n) < by_number.size() ? by_number[static_cast<std::size_t>(n)]
                                                                         : std::nan(""));
  }
  return out;
}

}  // namespace simnas
