#include "simnas/probe/measure_all.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/core/stats.h"
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
  if (request.rounds < 1 || request.rounds > 99) {
    throw ParseError(fmt::format("--rounds {}: expected 1..99", request.rounds));
  }
  job.rounds = request.rounds;
  job.comments = {fmt::format("simnas {} {}measure-all --device {} --sample {} --seed {}{}", SIMNAS_VERSION,
                              named ? fmt::format("--space {} ", space.name()) : "", request.device_spec, sample,
                              request.seed, job.rounds > 1 ? fmt::format(" --rounds {}", job.rounds) : ""),
                  "device: " + device.Fingerprint(), "run id: " + job.run_id};
  if (job.rounds > 1) {
    job.comments.push_back(fmt::format("rounds: {} (each {} measured in {} separate passes over the sample; ms is "
                                       "their median, spread their median spread, repeats their sum)",
                                       job.rounds, space.arch_noun(), job.rounds));
  }
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
  // One writer per output file (the run ids are locked by the sessions, before any measurement).
  const std::filesystem::path& out = job.out;
  if (std::error_code ec; std::filesystem::is_directory(out, ec)) {
    throw ParseError(fmt::format("--out {} is a directory; give the CSV file to write", out.string()));
  }
  const FileLock out_lock(out.parent_path() / ("." + out.filename().string() + ".lock"), "output " + out.string());
  const int rounds = std::max(job.rounds, 1);
  const auto budget = static_cast<int>(job.indices.size());
  std::vector<std::unique_ptr<ProbeSession>> sessions;
  for (int round = 1; round <= rounds; ++round) {
    sessions.push_back(std::make_unique<ProbeSession>(
        device, numbering, budget, &store, round == 1 ? job.run_id : fmt::format("{}:round={}", job.run_id, round)));
  }
  std::vector<std::string> comments = job.comments;
  auto write = [&] {
    // Per architecture, its measurements over the rounds taken so far.
    std::map<int, std::vector<const ProbeRecord*>> taken;
    for (const auto& session : sessions) {
      for (const ProbeRecord& r : session->history()) taken[r.index].push_back(&r);
    }
    std::vector<LatencyCsvRow> rows;
    for (const auto& [index, records] : taken) {
      std::vector<double> ms, spread;
      int repeats = 0;
      for (const ProbeRecord* r : records) {
        ms.push_back(r->measurement.latency_ms);
        spread.push_back(r->measurement.spread);
        repeats += r->measurement.repeats;
      }
      rows.push_back({numbering.NumberOf(index), records.size() == 1 ? ms[0] : Median(ms),
                      records.size() == 1 ? spread[0] : Median(spread), repeats, records[0]->arch.ToString()});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    SaveLatencyCsv(out, comments, rows);
  };
  Progress progress("measure-all " + device.Spec(), static_cast<std::int64_t>(job.indices.size()) * rounds, 0,
                    noun + "s");
  int since_write = 0;
  MeasureAllOutcome outcome;
  std::map<int, FailedCell> missing;  // failed every pass of some round
  try {
    for (int round = 1; round <= rounds; ++round) {
      ProbeSession& session = *sessions[static_cast<std::size_t>(round - 1)];
      std::vector<int> order = job.indices;
      if (round > 1) {
        // Another order each round, so that no architecture always meets the same moment of a pass.
        std::mt19937_64 rng(0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(round));
        std::shuffle(order.begin(), order.end(), rng);
      }
      const std::string of_round = rounds > 1 ? fmt::format(" (round {} of {})", round, rounds) : "";
      for (FailedCell& cell : MeasureInPasses(
               order, kMeasurePasses,
               [&](int index) {
                 if (InterruptRequested()) throw Interrupted("measure-all interrupted");
                 const ProbeRecord& r = session.Probe(numbering.at(index));
                 progress.Advance(1, fmt::format("last {:.3f} ms{}", r.measurement.latency_ms, of_round));
                 if (++since_write >= 25) {
                   write();
                   since_write = 0;
                 }
               },
               [&](int index, const std::string& reason, int pass, bool last) {
                 spdlog::warn("measure-all: {} {} {} failed on {} (pass {} of {}{}): {}; {}", noun, index,
                              numbering.at(index).ToString(), device.Spec(), pass, kMeasurePasses, of_round,
                              OneLine(reason), last ? "left out" : "tried again after this pass");
               })) {
        missing.emplace(cell.index, std::move(cell));
      }
    }
  } catch (const Interrupted&) {  // also from inside a measurement (the device program is killed)
    write();
    ThrowIfInterrupted("measure-all");
    throw;
  }
  std::set<int> written;
  for (const auto& session : sessions) {
    for (const ProbeRecord& r : session->history()) written.insert(r.index);
    outcome.measured_now += session->measured_now();
  }
  // Missing: measured in no round (in the order of the job). One measured in some rounds only
  // has the median of those.
  for (int index : job.indices) {
    const auto it = missing.find(index);
    if (it != missing.end() && !written.contains(index)) outcome.missing.push_back(it->second);
  }
  if (!outcome.missing.empty()) {
    std::string names;
    for (const FailedCell& c : outcome.missing) names += fmt::format("{}{}", names.empty() ? "" : " ", c.index);
    comments.push_back(fmt::format("missing: {} of {} {}s failed {} passes{}: {}", outcome.missing.size(),
                                   job.indices.size(), noun, kMeasurePasses, rounds > 1 ? " in every round" : "", names));
    for (const FailedCell& c : outcome.missing) {
      comments.push_back(
          fmt::format("missing {} {}: {}", c.index, numbering.at(c.index).ToString(), OneLine(c.reason)));
    }
  }
  write();
  progress.Finish();
  outcome.written = static_cast<int>(written.size());
  return outcome;
}

}  // namespace simnas
