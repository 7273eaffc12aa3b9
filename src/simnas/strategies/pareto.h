// Pareto fronts of (latency, proxy score) and other helpers the proxy-device strategies share.
#pragma once

#include <span>
#include <vector>

#include "simnas/probe/probe_session.h"
#include "simnas/space/score_table.h"

namespace simnas {

// Candidate indices not dominated in (lower latency, higher score) among
// `latency` (by index; NaN entries and indices where `skip` is true are left out), sorted by
// increasing latency, hence strictly increasing proxy. Of cells with equal latency only the
// best proxy can be on the front.
std::vector<int> ParetoFront(std::span<const double> latency, const ScoreTable& proxy,
                             const std::vector<bool>* skip = nullptr);

// The probed cells that stay Pareto-optimal by MEASURED latency (Algorithm 1, line 11):
// sorted by measured latency, strictly increasing proxy.
std::vector<ProbeRecord> MeasuredParetoFront(const std::vector<ProbeRecord>& probed, const ScoreTable& proxy);

// `count` positions spread evenly over [0, size) (first and last included when count >= 2).
std::vector<std::size_t> SpreadPositions(std::size_t size, std::size_t count);

}  // namespace simnas
