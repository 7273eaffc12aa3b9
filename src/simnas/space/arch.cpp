#include "simnas/space/arch.h"

#include <algorithm>

#include "simnas/core/error.h"
#include "simnas/space/space.h"

namespace simnas {

const Space& Arch::space() const {
  if (space_ == nullptr) throw Error("an empty architecture handle has no search space");
  return *space_;
}

std::string_view Arch::space_name() const { return space_ == nullptr ? std::string_view() : space_->name(); }

std::string Arch::ToString() const { return space_ == nullptr ? std::string() : space_->Format(*this); }

std::strong_ordering Arch::operator<=>(const Arch& other) const {
  if (space_ != other.space_) {
    if (const auto c = space_name().compare(other.space_name()); c != 0) {
      return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
  }
  // Element by element (GCC 12 warns falsely on the library's memcmp form for byte vectors).
  const std::size_t n = std::min(choices_.size(), other.choices_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (choices_[i] != other.choices_[i]) {
      return choices_[i] < other.choices_[i] ? std::strong_ordering::less : std::strong_ordering::greater;
    }
  }
  return choices_.size() <=> other.choices_.size();
}

}  // namespace simnas
