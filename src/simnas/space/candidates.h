// A numbered set of architectures of one space: what a search chooses among and what every
// index-aligned vector (latency tables, scores, accuracies, feature rows) is aligned with.
// It can be a space's whole numbering (NATS-Bench's 15,625 cells), a published sample (HELP's
// 5,000 FBNet networks), or a subset of either (the cells a partial table holds). Position i
// is candidate i; NumberOf(i) is its index in the space's own numbering, which reports print
// and tables are keyed by (equal to i for a whole numbering).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "simnas/space/arch.h"

namespace simnas {

class Space;

class CandidateSet {
 public:
  CandidateSet() = default;
  // `archs` must be of `space` (Error otherwise); an architecture listed twice is found at its
  // first position.
  // `numbers` (empty: 0..n-1) gives each candidate's index in the space's numbering.
  // `source` says where the set comes from, for messages ("NATS-Bench's 15,625 cells").
  CandidateSet(const Space& space, std::vector<Arch> archs, std::string source, std::vector<int> numbers = {});

  const Space& space() const { return *space_; }
  int size() const { return static_cast<int>(archs_.size()); }
  bool empty() const { return archs_.empty(); }
  // Candidate `i`. Throws ParseError naming the range for an index outside it.
  const Arch& at(int i) const;
  const std::vector<Arch>& archs() const { return archs_; }
  // The (first) position of `arch`, or -1 when it is not a candidate (or of another space).
  int IndexOf(const Arch& arch) const;
  // The index of candidate `i` in the space's numbering.
  int NumberOf(int i) const { return numbers_.empty() ? i : numbers_.at(static_cast<std::size_t>(i)); }
  const std::string& source() const { return source_; }
  // Whether the set holds every architecture of its space (moves never leave it).
  bool complete() const;

  // The candidates at `positions` (in that order), numbered as in this set's numbering.
  CandidateSet Subset(const std::vector<int>& positions, std::string source) const;
  // `values` (one per candidate of this set's numbering, i.e. of the whole numbering this set
  // was cut from) gathered at this set's candidates. For a whole numbering, `values` itself.
  std::vector<double> Gather(const std::vector<double>& by_number) const;

 private:
  const Space* space_ = nullptr;
  std::vector<Arch> archs_;
  std::vector<int> numbers_;
  std::string source_;
  std::shared_ptr<const std::map<Arch, int>> position_;
};

}  // namespace simnas
