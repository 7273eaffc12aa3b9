#include "simnas/probe/measure_all.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/data/latency_table.h"
#include "simnas/probe/probe_session.h"
#include "simnas/space/registry.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {

// A device's reason on one line (a program's stderr may span several).
std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

std::string SanitizeForFile(const std::string& spec) {
  std::string s;
  for (char c : spec) s += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return s;
}

}  // namespace

MeasureAllJob MakeMeasureAllJob(const Device& device, const CandidateSet& numbering, const MeasureAllRequest& request) {
  const Space& space = numbering.space();
  // Run ids and file names of another space than the default one name it (a run id is locked per
  // device, and several spaces may run at once).
  const bool named = space.name() != kDefaultSpaceName;
  MeasureAllJob job;
  job.indices = MeasureAllIndices(numbering.size(), request.sample, request.seed);
  const std::string default_name =
      "measured-" + (named ? std::string(space.name()) + "-" : "") + SanitizeForFile(device.Spec()) + ".csv";
  job.out = !request.out.empty()     ? request.out
            : request.out_dir.empty() ? std::filesystem::path(default_name)
                                      : request.out_dir / default_name;
  const int sample = request.sample.value_or(numbering.size());
  job.run_id = !request.run_id.empty()
                   ? request.run_id
                   : fmt::format("measure-all:{}sample={}:seed={}", named ? std::string(space.name()) + ":" : "",
                                 sample, request.seed);
  job.comments = {fmt::format("simnas {} {}measure-all --device {} --sample {} --seed {}", SIMNAS_VERSION,
                              named ? fmt::format("--space {} ", space.name()) : "", request.device_spec, sample,
                              request.seed),
                  "device: " + device.Fingerprint(), "run id: " + job.run_id};
  if (named) {
    job.comments.push_back(
        fmt::format("{}s: {} (index = position in that numbering)", space.arch_noun(), numbering.source()));
  }
  return job;
}

std::vector<int> MeasureAllIndices(int count, std::optional<int> sample, std::uint64_t seed) {
  std::vector<int> indices(static_cast<std::size_t>(count));
  std::iota(indices.begin(), indices.end(), 0);
  if (sample) {
    if (*sample < 1 || *sample > count) {
      throw ParseError(fmt::format("--sample {}: expected 1..{}", *sample, count));
    }
    std::mt19937_64 rng(seed);
    std::shuffle(indices.begin(), indices.end(), rng);
    indices.resize(static_cast<std::size_t>(*sample));
  }
  return indices;
}

MeasureAllOutcome MeasureAllToCsv(Device& device, const CandidateSet& numbering, const MeasureAllJob& job,
                                  ProbeStore& store) {
  const std::string noun(numbering.space().arch_noun());
  // One writer per output file (the run id is locked by the session, before any measurement).
  const std::filesystem::path& out = job.out;
  if (std::error_code ec; std::filesystem::is_directory(out, ec)) {
    throw ParseError(fmt::format("--out {} is a directory; give the CSV file to write", out.string()));
  }
  const FileLock out_lock(out.parent_path() / ("." + out.filename().string() + ".lock"), "output " + out.string());
  ProbeSession session(device, numbering, static_cast<int>(job.indices.size()), &store, job.run_id);
  std::vector<std::string> comments = job.comments;
  auto write = [&] {
    std::vector<LatencyCsvRow> rows;
    for (const ProbeRecord& r : session.history()) {
      rows.push_back({numbering.NumberOf(r.index), r.measurement.latency_ms, r.measurement.spread, r.measurement.repeats,
                      r.arch.ToString()});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    SaveLatencyCsv(out, comments, rows);
  };
  Progress progress("measure-all " + device.Spec(), static_cast<std::int64_t>(job.indices.size()), 0, noun + "s");
  int since_write = 0;
  MeasureAllOutcome outcome;
  try {
    outcome.missing = MeasureInPasses(
        job.indices, kMeasurePasses,
        [&](int index) {
          if (InterruptRequested()) throw Interrupted("measure-all interrupted");
          const ProbeRecord& r = session.Probe(numbering.at(index));
          progress.Advance(1, fmt::format("last {:.3f} ms", r.measurement.latency_ms));
          if (++since_write >= 25) {
            write();
            since_write = 0;
          }
        },
        [&](int index, const std::string& reason, int pass, bool last) {
          spdlog::warn("measure-all: {} {} {} failed on {} (pass {} of {}): {}; {}", noun, index,
                       numbering.at(index).ToString(), device.Spec(), pass, kMeasurePasses, OneLine(reason),
                       last ? "left out" : "tried again after this pass");
        });
  } catch (const Interrupted&) {  // also from inside a measurement (the device program is killed)
    write();
    ThrowIfInterrupted("measure-all");
    throw;
  }
  if (!outcome.missing.empty()) {
    std::string names;
    for (const FailedCell& c : outcome.missing) names += fmt::format("{}{}", names.empty() ? "" : " ", c.index);
    comments.push_back(fmt::format("missing: {} of {} {}s failed {} passes: {}", outcome.missing.size(),
                                   job.indices.size(), noun, kMeasurePasses, names));
    for (const FailedCell& c : outcome.missing) {
      comments.push_back(
          fmt::format("missing {} {}: {}", c.index, numbering.at(c.index).ToString(), OneLine(c.reason)));
    }
  }
  write();
  progress.Finish();
  outcome.written = session.used();
  outcome.measured_now = session.measured_now();
  return outcome;
}

}  // namespace simnas
