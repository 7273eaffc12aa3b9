// One search as `simnas search` and the Python module's simnas.search() run it, for any space:
// what the front ends give (device, strategy, budget, probes, seed, run id, proxy table and
// recipe), the search run through the strategies' runner (strategies/search_runner.h) on the
// candidates SearchSetup gathers, and the outcome with the report `simnas search --json` prints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simnas/data/dataset.h"
#include "simnas/devices/device.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/registry.h"
#include "simnas/workspace/workspace.h"

namespace simnas {

struct SearchRequest {
  const Space* space = nullptr;       // null: the default space
  std::string strategy;               // empty: the space's default strategy
  std::optional<double> budget_ms;    // none: the unconstrained reward (some strategies need one)
  int probes = 10;                    // distinct architectures measured on the device
  Dataset dataset = Dataset::kCifar100;  // proxy table and report (one of the space's Datasets())
  std::uint64_t seed = 0;
  std::string run_id;                 // empty: a new one; the same id resumes (probes replayed)
  std::filesystem::path proxy_table;  // empty: the shipped table
  std::string aggregate;              // score source (a proxy recipe, or the space's own); empty: the default
  ProbeObserver on_probe;             // called after every probe (progress lines); may be empty
};

struct SearchOutcome {
  const Space* space = nullptr;
  std::string strategy;
  std::string device;  // spec
  bool live = false;   // the device measures (its probes go to the probe store)
  std::string run_id;
  std::optional<double> budget_ms;
  bool found = false;     // something was probed
  bool feasible = false;  // the answer's measured latency is within the budget
  ProbeRecord answer;     // the answer, or (infeasible) the fastest probed architecture
  std::vector<ProbeRecord> probes;  // every probe, in order (replayed ones marked)
  // What the strategy ranked each probe and the answer by (the score table), named by score_name.
  std::string score_name;
  std::vector<double> scores;
  double answer_score = 0;
  int probes_used = 0;
  int measured_now = 0;
  int failed_probes = 0;       // probes the device refused (in `probes`, failed())
  std::string stopped_reason;  // why the search stopped before its probe budget, or empty
  double wall_seconds = 0;
  // When the candidates are a sample of the space (not every architecture): what they are, and
  // the proxy device the table-following strategies follow; empty otherwise.
  std::string candidates;
  std::string proxy_device;
  // Why no accuracy is reported, when the space has none; empty otherwise.
  std::string no_accuracy;
  // The report, as `simnas search --json` prints it.
  nlohmann::json report;
};

// Runs `request` on `device` (live measurements go to the workspace's probe store). `on_ready`
// is called once the run id is locked and the store checked, just before the first probe.
// Throws ParseError for a bad request (unknown strategy, a dataset the space does not build for, a
// strategy that needs what the search lacks, e.g. a budget), DataError for missing data,
// DeviceError, and Interrupted with the probes so far saved under the run id.
SearchOutcome RunSearchRequest(Workspace& workspace, const SearchRequest& request, Device& device,
                               const std::function<void(const SearchOutcome& starting)>& on_ready = {});
// The same on the device `device_spec` opens in the request's space (opened after the request's
// own checks).
SearchOutcome RunSearchRequest(Workspace& workspace, const SearchRequest& request, const std::string& device_spec,
                               const std::function<void(const SearchOutcome& starting)>& on_ready = {});

}  // namespace simnas
