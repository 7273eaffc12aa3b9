#include "simnas/controller/synthetic_env.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "simnas/controller/binary_io.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {

// The device's noise-free latency of the architecture with code `code`.
double LatencyOfCode(const SyntheticLut& device, const WalkTables& tables, int code) {
  const std::size_t row = static_cast<std::size_t>(code) * static_cast<std::size_t>(tables.positions);
  return device.LatencyOfChoices(tables.digits.data() + row, tables.live.data() + row);
}

}  // namespace

class SyntheticVecEnv::SlotOracle : public LatencyOracle {
 public:
  explicit SlotOracle(Slot& slot) : slot_(slot) {}
  double Probe(const Arch& arch) override { return slot_.device.Measure(arch, slot_.rng); }

 private:
  Slot& slot_;
};

SyntheticVecEnv::SyntheticVecEnv(const EnvConfig& config, const WalkTables& tables,
                                 const SyntheticDistribution& distribution, int num_envs, std::uint64_t seed)
    : config_(config),
      tables_(&tables),
      distribution_(&distribution),
      obs_size_(ObservationSize(config, tables.num_actions())) {
  if (num_envs < 1) throw Error("the synthetic environment needs at least one episode slot");
  std::mt19937_64 sample_rng(0x5a3f1e);  // fixed: the same sample in every run
  std::uniform_int_distribution<int> pick(0, tables.size - 1);
  for (int i = 0; i < kPercentileSample; ++i) sample_codes_.push_back(pick(sample_rng));
  prior_quantile_start_ = tables.BestProxyBelowPriorQuantile(config.start_quantile);
  slots_.resize(static_cast<std::size_t>(num_envs));
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0x5eedu};
  std::vector<std::uint64_t> seeds(slots_.size());
  seq.generate(seeds.begin(), seeds.end());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].rng.seed(seeds[i] ^ (static_cast<std::uint64_t>(i) << 32));
    slots_[i].episode = Episode(&config_, tables_);
    ResetSlot(slots_[i]);
  }
}

void SyntheticVecEnv::ResetSlot(Slot& slot) {
  slot.device = distribution_->SampleDevice(slot.rng, config_.synthetic);
  std::uniform_real_distribution<double> uniform(config_.budget_lo, config_.budget_hi);
  slot.budget_percentile = uniform(slot.rng);
  std::optional<double> budget;
  double lo = 0, hi = 0;
  if (config_.reward == RewardKind::kBudget) {
    scratch_.resize(sample_codes_.size());
    for (std::size_t i = 0; i < sample_codes_.size(); ++i) {
      scratch_[i] = LatencyOfCode(slot.device, *tables_, sample_codes_[i]);
    }
    const double pos = slot.budget_percentile / 100.0 * static_cast<double>(scratch_.size() - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k), scratch_.end());
    const double a = scratch_[k];
    const double b = k + 1 < scratch_.size()
                         ? *std::min_element(scratch_.begin() + static_cast<std::ptrdiff_t>(k) + 1, scratch_.end())
                         : a;
    budget = a + (b - a) * (pos - static_cast<double>(k));
  } else {
    // The paper reward's min-max range: each position independently at its cheapest / dearest
    // choice (exact when every position counts; for live-only devices a bound, and l is clamped).
    std::tie(lo, hi) = slot.device.Range();
  }
  int start = 0;
  switch (config_.start) {
    case StartKind::kRandom: start = std::uniform_int_distribution<int>(0, tables_->size - 1)(slot.rng); break;
    case StartKind::kBestProxy: start = tables_->by_proxy.front(); break;
    case StartKind::kPriorQuantile: start = prior_quantile_start_; break;
    case StartKind::kTopK:
      start = tables_->by_proxy[static_cast<std::size_t>(
          std::uniform_int_distribution<int>(0, std::min(config_.top_k, tables_->size) - 1)(slot.rng))];
      break;
  }
  SlotOracle oracle(slot);
  slot.episode.Reset(start, budget, config_.probes, oracle, lo, hi);
}

void SyntheticVecEnv::Observe(float* obs, std::uint8_t* mask) const {
  ObserveSlots(slots_, obs_size_, tables_->num_actions(), obs, mask);
}

EpisodeStats SyntheticVecEnv::Finish(const Slot& slot) const {
  const Episode& e = slot.episode;
  EpisodeStats s;
  s.episode_return = e.episode_return();
  s.probes = e.probes_used();
  s.steps = e.steps();
  s.budget_percentile = slot.budget_percentile / 100.0;
  if (config_.reward == RewardKind::kBudget) {
    s.feasible = e.best_code() >= 0;
    s.answer_code = e.best_code();
  } else {
    // The answer rule without a budget: p + (1 - l), l min-max over the measured architectures.
    const auto [lo, hi] = RangeOf(e.probed(), [](const ProbedCell& p) { return static_cast<double>(p.latency_ms); });
    double best = -1e300;
    for (const ProbedCell& p : e.probed()) {
      const double l = hi > lo ? (p.latency_ms - lo) / (hi - lo) : 0.0;
      const double r = tables_->proxy[static_cast<std::size_t>(p.code)] + 1.0 - l;
      if (r > best) {
        best = r;
        s.answer_code = p.code;
      }
    }
    s.feasible = true;
  }
  if (s.answer_code >= 0) {
    const auto c = static_cast<std::size_t>(s.answer_code);
    s.answer_index = tables_->index_of_code[c];
    s.answer_proxy = tables_->proxy[c];
    const double ms = LatencyOfCode(slot.device, *tables_, s.answer_code);
    std::size_t below = 0;
    for (int code : sample_codes_) below += LatencyOfCode(slot.device, *tables_, code) <= ms ? 1 : 0;
    s.answer_percentile = static_cast<double>(below) / static_cast<double>(sample_codes_.size());
  }
  return s;
}

void SyntheticVecEnv::Step(const int* actions, float* rewards, std::uint8_t* dones) {
  StepSlotEpisodes<SlotOracle>(
      slots_, actions, rewards, dones, finished_, [this](const Slot& slot) { return Finish(slot); },
      [this](Slot& slot) { ResetSlot(slot); });
}

std::vector<EpisodeStats> SyntheticVecEnv::TakeFinished() { return TakeAll(finished_); }

std::string SyntheticVecEnv::SaveState() const {
  return SaveSlots(slots_, obs_size_, [](const Slot& slot, std::string& out) {
    const SyntheticLut& d = slot.device;
    binary::Put<double>(out, d.fixed_ms);
    for (const auto& edge : d.cost_ms) {
      for (double v : edge) binary::Put<double>(out, v);
    }
    binary::Put<std::uint8_t>(out, d.live_only ? 1 : 0);
    binary::Put<double>(out, d.measure_noise);
    binary::Put<double>(out, slot.budget_percentile);
    slot.episode.Save(out);
  });
}

void SyntheticVecEnv::LoadState(const std::string& state) {
  LoadSlots(slots_, obs_size_, state, [this](Slot& slot, const char*& in, const char* end) {
    SyntheticLut& d = slot.device;
    d = SyntheticLut::ZerosOf(tables_->candidates.space());
    d.fixed_ms = binary::Get<double>(in, end);
    for (auto& edge : d.cost_ms) {
      for (double& v : edge) v = binary::Get<double>(in, end);
    }
    d.live_only = binary::Get<std::uint8_t>(in, end) != 0;
    d.measure_noise = binary::Get<double>(in, end);
    slot.budget_percentile = binary::Get<double>(in, end);
    d.floor_ms = 0;
    d.floor_ms = d.MinLatency();
    slot.episode = Episode(&config_, tables_);
    slot.episode.Load(in, end);
  });
}

TrainingInputs PrepareTrainingInputs(const SpaceData& data, const ScoreTable& proxy,
                                     const std::vector<std::string>& exclude, LutFitKind fit) {
  std::vector<std::string> devices;
  std::vector<const LatencyTable*> tables;
  for (const std::string& device : data.TrainDevices()) {
    if (std::find(exclude.begin(), exclude.end(), device) != exclude.end()) continue;
    devices.push_back(device);
    tables.push_back(&data.DeviceTable(device));
  }
  return {FitSyntheticDistribution(data.Numbering(), tables, fit), WalkTables::Build(data.Numbering(), proxy, tables),
          devices};
}

}  // namespace simnas
