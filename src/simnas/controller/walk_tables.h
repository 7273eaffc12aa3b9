// What the edit walk (episode.h) knows about every architecture of a space before measuring
// anything, indexed by the walk's code: the choices as mixed-radix digits, position 0 the least
// significant (code = sum over p of choice(p) x product of choices(q) for q < p). Per code: the
// candidate it is, the proxy score (device-independent), its rank, the space's default encoding
// (Space::Encode: the adapted latency model's features) and a latency prior, a linear model over
// that encoding fitted to each train table, divided by its mean latency over the candidates and
// averaged (a slow device does not outweigh a fast one), so that it is known at deployment too.
// The prior only says how latency *changes* between architectures (log ratios); absolute
// latencies are never taken from it.
//
// The walk moves by single-position changes to any combination of choices, so it needs a space
// whose numbered candidates hold every combination (a full product space).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "simnas/data/latency_table.h"
#include "simnas/space/candidates.h"
#include "simnas/space/score_table.h"

namespace simnas {

// Why the edit walk cannot run over `candidates` (they are not every combination of their
// space's choices), in one line naming the space, or "" when it can.
std::string WalkProblem(const CandidateSet& candidates);

struct WalkTables {
  CandidateSet candidates;
  int positions = 0;
  int max_choices = 0;               // the actions' stride: action = position x max_choices + choice
  int size = 0;                      // codes (= candidates)
  int features = 0;                  // of the default encoding
  std::vector<int> choices;          // per position
  std::vector<int> stride;           // per position: its digit's weight in a code
  std::vector<std::uint8_t> digits;  // size x positions: the choice at every position
  std::vector<std::uint8_t> live;    // size x positions: 1 for a live position (Space::LivePositions)
  std::vector<double> encoded;       // size x features
  std::vector<float> proxy;          // min-max normalized aggregate score, [0, 1]
  std::vector<float> proxy_rank;     // percentile rank of the score, [0, 1]
  std::vector<float> log_prior;      // log of the prior latency (arbitrary unit)
  std::vector<int> index_of_code;    // candidate
  std::vector<int> by_proxy;         // codes, best proxy first
  Eigen::VectorXd prior;             // the relative prior's weights over the encoding

  int num_actions() const { return positions * max_choices; }
  int Choice(int code, int position) const {
    return digits[static_cast<std::size_t>(code) * static_cast<std::size_t>(positions) + static_cast<std::size_t>(position)];
  }
  int WithChoice(int code, int position, int choice) const {
    return code + (choice - Choice(code, position)) * stride[static_cast<std::size_t>(position)];
  }
  const double* Encoded(int code) const {
    return encoded.data() + static_cast<std::size_t>(code) * static_cast<std::size_t>(features);
  }
  const Arch& ArchOf(int code) const { return candidates.at(index_of_code[static_cast<std::size_t>(code)]); }
  // The code of `arch` (an architecture of the tables' space).
  int CodeOf(const Arch& arch) const;

  // `prior` is used for ratios only; its scale does not matter.
  // The best-proxy code among codes whose prior latency is at most its q-quantile.
  int BestProxyBelowPriorQuantile(double q) const;

  // The tables of `candidates` scored by `proxy` (one value per candidate), the prior fitted to
  // `train_tables` (complete, aligned with the candidates; at least one). Throws ParseError
  // (WalkProblem) when the candidates are not every combination of their space's choices,
  // DataError for a table that is not complete or a degenerate fit.
  static WalkTables Build(const CandidateSet& candidates, const ScoreTable& proxy,
                          const std::vector<const LatencyTable*>& train_tables);
};

}  // namespace simnas
