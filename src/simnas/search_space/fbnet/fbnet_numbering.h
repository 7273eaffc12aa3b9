// The FBNet networks that carry an index: HELP's sampled networks (arch.pt), numbered by their
// row. The data layer reads the file (data/fbnet_data.h) and hands the list over; any other
// FBNet network has no index (-1).
#pragma once

#include <map>
#include <vector>

#include "simnas/search_space/arch.h"
#include "simnas/search_space/fbnet/fbnet_arch.h"

namespace simnas {

class FbnetNumbering : public ArchNumbering {
 public:
  explicit FbnetNumbering(std::vector<FbnetArch> archs);

  SpaceKind space() const override { return SpaceKind::kFbnet; }
  // The row of `arch` (its first row if listed twice), or -1.
  int IndexOf(const Arch& arch) const override;
  int IndexOf(const FbnetArch& arch) const;
  // The network at row `index`. Throws ParseError naming the range for an index outside it.
  const FbnetArch& At(int index) const;
  const std::vector<FbnetArch>& archs() const { return archs_; }
  int size() const { return static_cast<int>(archs_.size()); }
  int Count() const override { return size(); }
  Arch ArchAt(int index) const override { return At(index); }

 private:
  std::vector<FbnetArch> archs_;
  std::map<FbnetArch, int> row_;
};

}  // namespace simnas
