// What a search maximizes: one score per candidate (space/candidates.h), higher is better. It is
// always a stand-in chosen before the search (a training-free proxy recipe over a proxy table,
// the multiply-adds of the network, a predicted accuracy), never a measured accuracy; reports
// print its name. Strategies, the answer rule and the controller read it; accuracy never is.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace simnas {

class ScoreTable {
 public:
  ScoreTable() = default;
  // `values`: one per candidate. Throws Error when empty.
  ScoreTable(std::string name, std::vector<double> values);

  // Printed by reports, e.g. "freerea_meco", "multiply-adds", "predicted-accuracy".
  const std::string& name() const { return name_; }
  double operator()(int index) const { return values_[static_cast<std::size_t>(index)]; }
  const std::vector<double>& values() const { return values_; }
  int size() const { return static_cast<int>(values_.size()); }
  // Min-max normalized to [0, 1] over the candidates (a constant table: 0).
  double Normalized(int index) const { return (values_[static_cast<std::size_t>(index)] - min_) / (max_ - min_); }

 private:
  std::string name_;
  std::vector<double> values_;
  double min_ = 0;
  double max_ = 1;
};

}  // namespace simnas
