// The FBNet networks that carry an index: HELP's sampled networks (arch.pt), numbered by their
// row. The data layer reads the file (data/fbnet_data.h) and hands the list over; any other
// FBNet network has no index (-1).
#pragma once

#include <map>
#include <vector>

#include "simnas/space/candidates.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {

class FbnetNumbering {
 public:
  explicit FbnetNumbering(std::vector<FbnetArch> archs);

  // The same networks as the space's candidate set (space/candidates.h).
  const CandidateSet& candidates() const { return candidates_; }
  operator const CandidateSet&() const { return candidates_; }  // NOLINT(google-explicit-constructor)
  // The row of `arch` (its first row if listed twice), or -1.
  int IndexOf(const Arch& arch) const { return candidates_.IndexOf(arch); }
  int IndexOf(const FbnetArch& arch) const;
  // The network at row `index`. Throws ParseError naming the range for an index outside it.
  const FbnetArch& At(int index) const;
  const std::vector<FbnetArch>& archs() const { return archs_; }
  int size() const { return static_cast<int>(archs_.size()); }
  int Count() const { return size(); }
  Arch ArchAt(int index) const { return candidates_.at(index); }

 private:
  std::vector<FbnetArch> archs_;
  std::map<FbnetArch, int> row_;
  CandidateSet candidates_;
};

}  // namespace simnas
