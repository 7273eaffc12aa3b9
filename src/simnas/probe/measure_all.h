// `simnas measure-all` for any search space: the numbered architectures of a space (NATS-Bench's
// 15,625 cells, HELP's 5,000 FBNet networks), or a seeded random sample of them, measured on one
// device into a latency CSV (data/latency_table.h) that `table:PATH` replays in that space.
// Every measurement goes through a ProbeSession with a run id, so it is in the probe store the
// moment it is taken and the same command resumes (what was measured replays, only the rest is
// measured). A network the device fails is skipped and tried again after the pass
// (measure_passes.h, kMeasurePasses passes); those failing every pass are named in `# missing`
// comments of the CSV. The CSV is rewritten atomically every 25 measurements, at the end and on
// an interruption.
// With `rounds` R > 1, the sample is measured R times, each round a separate pass over all of it
// in its own seeded order (round k's run id is the job's with ":round=k"), and the CSV gives each
// architecture the median of its rounds. On a live device the host's speed wanders over seconds;
// one measurement of a second or so catches one mix of its states, so cells measured at
// different moments carry different errors of a few percent. Rounds spread each architecture's
// measurements over the whole job, which narrows those errors and keeps near-equal cells in
// order between two jobs. A table device gives the same number every round.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "simnas/devices/device.h"
#include "simnas/probe/measure_passes.h"
#include "simnas/probe/probe_store.h"
#include "simnas/space/candidates.h"

namespace simnas {

// Indices 0 .. count-1, or (with `sample`) the first `sample` of them in a seeded shuffle
// (std::shuffle with mt19937_64(seed)). Throws ParseError for a sample outside [1, count].
std::vector<int> MeasureAllIndices(int count, std::optional<int> sample, std::uint64_t seed);

struct MeasureAllJob {
  std::vector<int> indices;           // positions in `numbering`
  std::filesystem::path out;          // the CSV (locked for the job: a second writer is refused)
  std::vector<std::string> comments;  // the CSV's leading comment lines (provenance)
  std::string run_id;                 // the probe store's run id: the same id resumes
  int rounds = 1;                     // passes over the sample; the CSV holds each one's median
};

// What a front end asks of measure-all (the CLI's flags, the Python module's arguments).
struct MeasureAllRequest {
  std::string device_spec;         // as given, for the CSV's provenance line
  std::optional<int> sample;       // measure this many random architectures instead of all
  std::uint64_t seed = 0;          // of the sample
  std::filesystem::path out;       // the CSV; empty: measured-[<space>-]<device>.csv in out_dir
  std::filesystem::path out_dir;   // empty: the working directory
  std::string run_id;              // empty: derived from the space, sample and seed (so the same request resumes)
  int rounds = 1;                  // measure the sample this many times (1..99); see above
};

// The job of `request` on `device` over `numbering`: the indices, the CSV path, the run id and
// the provenance comments. Throws ParseError for a sample outside [1, numbering.size()] or rounds
// outside [1, 99].
MeasureAllJob MakeMeasureAllJob(const Device& device, const CandidateSet& numbering, const MeasureAllRequest& request);

struct MeasureAllOutcome {
  int written = 0;       // rows in the CSV
  int measured_now = 0;  // measurements taken on the device by this call (every round's)
  std::vector<FailedCell> missing;
};

// Measures `job` on `device` (DeviceError of one architecture: skipped and retried as above;
// Interrupted: the CSV is written, then it propagates). Messages use the space's noun.
MeasureAllOutcome MeasureAllToCsv(Device& device, const CandidateSet& numbering, const MeasureAllJob& job,
                                  ProbeStore& store);

}  // namespace simnas
