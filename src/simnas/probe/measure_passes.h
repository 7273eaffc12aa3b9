// Measuring many cells on a live device that may fail one of them (too noisy at that moment,
// the machine stays busy, a device program fails for one architecture): the failed cell is
// skipped, the other cells go on, and the failed ones are tried again after the pass. Shared
// by the benchmark's reference sample and `simnas measure-all`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "simnas/core/error.h"

namespace simnas {

// Passes over the cells: the first, then two more over the cells that failed.
inline constexpr int kMeasurePasses = 3;

struct FailedCell {
  int index = -1;
  std::string reason;  // the last DeviceError's message
};

// Calls measure(index) for each cell, pass by pass, up to `passes` passes; a DeviceError skips
// the cell for this pass and calls on_fail(index, reason, pass, last_pass). Anything else
// (Interrupted, a budget error) propagates. Returns the cells that failed in every pass, in
// the order given.
template <class Measure, class OnFail>
std::vector<FailedCell> MeasureInPasses(const std::vector<int>& cells, int passes, Measure&& measure,
                                        OnFail&& on_fail) {
  std::vector<FailedCell> pending;
  pending.reserve(cells.size());
  for (int index : cells) pending.push_back({index, {}});
  for (int pass = 1; pass <= passes && !pending.empty(); ++pass) {
    std::vector<FailedCell> failed;
    for (FailedCell& cell : pending) {
      try {
        measure(cell.index);
      } catch (const DeviceError& e) {
        cell.reason = e.what();
        on_fail(cell.index, cell.reason, pass, pass == passes);
        failed.push_back(std::move(cell));
      }
    }
    pending = std::move(failed);
  }
  return pending;
}

}  // namespace simnas
