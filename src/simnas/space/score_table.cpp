#include "simnas/space/score_table.h"

#include <algorithm>

#include "simnas/core/error.h"

namespace simnas {

ScoreTable::ScoreTable(std::string name, std::vector<double> values) : name_(std::move(name)), values_(std::move(values)) {
  if (values_.empty()) throw Error("score table " + name_ + " holds no score");
  min_ = *std::min_element(values_.begin(), values_.end());
  max_ = *std::max_element(values_.begin(), values_.end());
  if (max_ <= min_) max_ = min_ + 1;
}

}  // namespace simnas
