#include "simnas/controller/picker_episode.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

#include "simnas/controller/binary_io.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"

namespace simnas {
namespace {

std::size_t U(int i) { return static_cast<std::size_t>(i); }
constexpr int kGlobals = 14;
constexpr int kPerAction = 6;

}  // namespace

nlohmann::json PickerEnvConfigToJson(const PickerEnvConfig& c) {
  return {{"probes", c.probes},
          {"aims", c.aims},
          {"linear", c.linear},
          {"budget_lo", c.budget_lo},
          {"budget_hi", c.budget_hi},
          {"infeasible_score", c.infeasible_score},
          {"network_sigma", c.network_sigma},
          {"miss_cap", c.miss_cap},
          {"synthetic",
           {{"alpha", c.synthetic.alpha},
            {"stage_sigma", c.synthetic.stage_sigma},
            {"block_sigma", c.synthetic.choice_sigma},
            {"entry_sigma", c.synthetic.entry_sigma},
            {"options", c.synthetic.ToString()}}}};
}

PickerEnvConfig PickerEnvConfigFromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw DataError("picker controller settings: expected a JSON object");
  PickerEnvConfig c;
  auto get = [](const nlohmann::json& o, const char* key, auto& out) {
    if (!o.contains(key)) throw DataError(fmt::format("picker controller settings: missing key '{}'", key));
    try {
      o.at(key).get_to(out);
    } catch (const nlohmann::json::exception&) {
      throw DataError(fmt::format("picker controller settings: key '{}' has the wrong type", key));
    }
  };
  get(j, "probes", c.probes);
  get(j, "aims", c.aims);
  get(j, "linear", c.linear);
  get(j, "budget_lo", c.budget_lo);
  get(j, "budget_hi", c.budget_hi);
  get(j, "infeasible_score", c.infeasible_score);
  get(j, "network_sigma", c.network_sigma);
  c.miss_cap = false;
  if (j.contains("miss_cap")) get(j, "miss_cap", c.miss_cap);
  if (!j.contains("synthetic") || !j.at("synthetic").is_object()) {
    throw DataError("picker controller settings: missing key 'synthetic'");
  }
  const nlohmann::json& s = j.at("synthetic");
  if (s.contains("options")) {
    std::string text;
    get(s, "options", text);
    try {
      c.synthetic = SyntheticOptions::Parse(text);
    } catch (const ParseError& e) {
      throw DataError(fmt::format("picker controller settings: synthetic options: {}", e.what()));
    }
  }
  get(s, "alpha", c.synthetic.alpha);
  get(s, "stage_sigma", c.synthetic.stage_sigma);
  get(s, "block_sigma", c.synthetic.choice_sigma);
  get(s, "entry_sigma", c.synthetic.entry_sigma);
  bool aims_ok = !c.aims.empty() && c.aims.size() <= 64;
  for (double a : c.aims) aims_ok = aims_ok && a > 0 && std::isfinite(a);
  if (c.probes < 1 || !aims_ok || !(c.budget_lo >= 0 && c.budget_lo <= c.budget_hi && c.budget_hi <= 100) ||
      !(c.synthetic.alpha > 0) || c.synthetic.stage_sigma < 0 || c.synthetic.choice_sigma < 0 ||
      c.synthetic.entry_sigma < 0 || !(c.network_sigma >= 0 && c.network_sigma <= 2)) {
    throw DataError("picker controller settings: a value is out of range (probes >= 1, 1 to 64 aims > 0, "
                    "0 <= budget_lo <= budget_hi <= 100, alpha > 0, sigmas >= 0, network_sigma <= 2)");
  }
  return c;
}

int PickerNumActions(const PickerEnvConfig& config) {
  return static_cast<int>(config.aims.size()) * (config.linear ? 2 : 1);
}

int PickerObservationSize(const PickerEnvConfig& config) {
  return kGlobals + PickerNumActions(config) * (kPerAction + 1);
}

PickerProcessData::PickerProcessData(const CandidateSet& candidates, std::vector<double> objective,
                                   std::vector<const LatencyTable*> tables, const LatencyTable& proxy, bool linear)
    : candidates_(candidates), objective_(std::move(objective)), tables_(std::move(tables)), proxy_(&proxy) {
  const auto n = static_cast<std::size_t>(candidates.size());
  if (n == 0) throw Error("picker controller: no candidates");
  if (objective_.size() != n) {
    throw Error(fmt::format("picker controller: {} objective scores for {} candidates", objective_.size(), n));
  }
  if (tables_.empty()) throw Error("picker controller: no train table to predict latencies with");
  const auto check = [n](const LatencyTable& t) {
    if (t.values().size() != n) {
      throw Error(fmt::format("picker controller: table {} holds {} latencies for {} candidates", t.name(),
                              t.values().size(), n));
    }
    for (double v : t.values()) {
      if (!(v > 0) || !std::isfinite(v)) throw Error(fmt::format("picker controller: table {} holds a latency <= 0", t.name()));
    }
  };
  for (const LatencyTable* t : tables_) check(*t);
  check(*proxy_);
  // Rank percentile: the share of the other candidates with a strictly lower objective (ties share).
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return objective_[U(a)] < objective_[U(b)]; });
  score_.assign(n, 0.0);
  for (std::size_t k = 0; k < n;) {
    std::size_t e = k;
    while (e < n && objective_[U(order[e])] == objective_[U(order[k])]) ++e;
    for (std::size_t q = k; q < e; ++q) score_[U(order[q])] = n > 1 ? static_cast<double>(k) / static_cast<double>(n - 1) : 1.0;
    k = e;
  }
  if (linear) linear_ = std::make_unique<LinearProxyModel>(candidates, proxy);
  first_ = MedianCandidate(proxy.values());
}

// ---- episode ----

float PickerEpisode::F(double ms) const {
  if (!(ms > 0)) return -3.0f;
  return static_cast<float>(std::clamp(std::log(ms / budget_), -3.0, 3.0));
}

double PickerEpisode::Predicted(int predictor, int row) const {
  if (predictor == 1 && !linear_.empty()) return linear_[U(row)];
  return match_.table->values()[U(row)] * scale_;
}

void PickerEpisode::Reset(double budget_ms, int probe_budget, PickerLatencyOracle& oracle) {
  if (!(budget_ms > 0) || !std::isfinite(budget_ms)) throw Error("picker controller: the budget must be > 0");
  if (probe_budget < 1) throw Error("picker controller: needs a probe budget of at least 1");
  budget_ = budget_ms;
  probe_budget_ = probe_budget;
  steps_ = 0;
  return_ = 0;
  probes_.clear();
  rows_.clear();
  ms_.clear();
  probed_.assign(U(data_->size()), 0);
  best_row_ = -1;
  best_score_ = config_->infeasible_score;
  match_ = TableMatch{&data_->proxy(), 0, 0};
  scale_ = 1;
  linear_.clear();
  last_error_ = 0;
  over_ = 0;
  const int first = data_->first_probe();
  Record(first, oracle.Probe(first), -1);
}

void PickerEpisode::Record(int row, double ms, int action) {
  if (!(ms > 0) || !std::isfinite(ms)) {
    throw DeviceError(fmt::format("picker controller: latency {} for candidate {} is not a positive number", ms, row));
  }
  const int n_aims = static_cast<int>(config_->aims.size());
  if (action >= 0) {
    const double p = Predicted(action / n_aims, row);
    last_error_ = p > 0 ? std::clamp(std::log(ms / p), -3.0, 3.0) : 3.0;
  }
  probes_.push_back(PickerProbe{row, ms, action});
  probed_[U(row)] = 1;
  rows_.push_back(row);
  ms_.push_back(ms);
  if (ms <= budget_) {
    const double s = data_->score()[U(row)];
    if (best_row_ < 0 || s > best_score_) {
      best_score_ = s;
      best_row_ = row;
    }
  } else {
    ++over_;
  }
  // The predictors after this probe.
  match_ = MatchTable(data_->tables(), match_.table, rows_, ms_);
  scale_ = std::exp(match_.shift);
  if (config_->linear && data_->linear() != nullptr) data_->linear()->Adapt(rows_, ms_, linear_);
  // Every action's candidate.
  const double cap = config_->miss_cap && best_row_ < 0 ? std::pow(0.8, over_) : 1.0;
  const int n_actions = PickerNumActions(*config_);
  picks_.assign(U(n_actions), -1);
  fallback_.assign(U(n_actions), 0);
  for (int a = 0; a < n_actions; ++a) {
    const int predictor = a / n_aims;
    const double aim = config_->aims[U(a % n_aims)] * budget_ * cap;
    bool fallback = false;
    picks_[U(a)] = predictor == 1 ? PickCandidate(linear_, 1.0, aim, data_->score(), probed_, &fallback)
                                  : PickCandidate(match_.table->values(), scale_, aim, data_->score(), probed_,
                                                       &fallback);
    fallback_[U(a)] = fallback ? 1 : 0;
  }
}

float PickerEpisode::Step(int action, PickerLatencyOracle& oracle) {
  if (action < 0 || action >= static_cast<int>(picks_.size()) || picks_[U(action)] < 0) {
    throw Error(fmt::format("picker controller: action {} is not allowed", action));
  }
  const int row = picks_[U(action)];
  const double before = best_score_;
  Record(row, oracle.Probe(row), action);
  ++steps_;
  const auto reward = static_cast<float>(best_score_ - before);
  return_ += reward;
  return reward;
}

bool PickerEpisode::Done() const {
  return static_cast<int>(probes_.size()) >= probe_budget_ || static_cast<int>(probes_.size()) >= data_->size();
}

void PickerEpisode::Mask(std::uint8_t* out) const {
  for (std::size_t a = 0; a < picks_.size(); ++a) out[a] = picks_[a] >= 0 ? 1 : 0;
}

void PickerEpisode::Observe(float* out) const {
  const int n_actions = static_cast<int>(picks_.size());
  const int n_aims = static_cast<int>(config_->aims.size());
  const int used = static_cast<int>(probes_.size());
  const double k = static_cast<double>(used);
  std::fill(out, out + kGlobals + n_actions * (kPerAction + 1), 0.0f);
  const PickerProbe& last = probes_.back();
  double fastest = last.ms;
  for (const PickerProbe& p : probes_) fastest = std::min(fastest, p.ms);
  double linear_sq = 0;
  if (!linear_.empty()) {
    for (const PickerProbe& p : probes_) {
      const double pred = linear_[U(p.row)];
      const double e = pred > 0 ? std::clamp(std::log(p.ms / pred), -3.0, 3.0) : 3.0;
      linear_sq += e * e;
    }
  }
  out[0] = static_cast<float>(probe_budget_ - used) / static_cast<float>(probe_budget_);
  out[1] = static_cast<float>(used) / static_cast<float>(probe_budget_);
  out[2] = best_row_ >= 0 ? 1.0f : 0.0f;
  out[3] = static_cast<float>(best_score_);
  out[4] = best_row_ >= 0 ? F(ms_[U(static_cast<int>(std::find(rows_.begin(), rows_.end(), best_row_) - rows_.begin()))]) : 0.0f;
  out[5] = F(last.ms);
  out[6] = last.ms <= budget_ ? 1.0f : 0.0f;
  out[7] = static_cast<float>(last_error_);
  out[8] = static_cast<float>(std::min(std::sqrt(match_.error / k), 3.0));
  out[9] = static_cast<float>(std::min(std::sqrt(linear_sq / k), 3.0));
  out[10] = static_cast<float>(over_) / static_cast<float>(used);
  out[11] = F(fastest);
  out[12] = static_cast<float>(data_->score()[U(last.row)]);
  out[13] = used == 1 ? 1.0f : 0.0f;
  float* act = out + kGlobals;
  const double floor = std::max(best_score_, 0.0);
  for (int a = 0; a < n_actions; ++a, act += kPerAction) {
    const int row = picks_[U(a)];
    if (row < 0) continue;
    const int predictor = a / n_aims;
    const int other = config_->linear ? 1 - predictor : predictor;
    const double own = Predicted(predictor, row), alt = Predicted(other, row);
    act[0] = static_cast<float>(data_->score()[U(row)]);
    act[1] = static_cast<float>(data_->score()[U(row)] - floor);
    act[2] = F(own);
    act[3] = F(alt);
    act[4] = fallback_[U(a)] ? 1.0f : 0.0f;
    act[5] = own <= budget_ && alt <= budget_ ? 1.0f : 0.0f;
  }
  if (last.action >= 0) out[kGlobals + n_actions * kPerAction + last.action] = 1.0f;
}

void PickerEpisode::Save(std::string& out) const {
  binary::Put<double>(out, budget_);
  binary::Put<std::int32_t>(out, probe_budget_);
  binary::Put<std::int32_t>(out, steps_);
  binary::Put<double>(out, return_);
  binary::Put<std::uint64_t>(out, probes_.size());
  for (const PickerProbe& p : probes_) {
    binary::Put<std::int32_t>(out, p.row);
    binary::Put<double>(out, p.ms);
    binary::Put<std::int32_t>(out, p.action);
  }
}

void PickerEpisode::Load(const char*& in, const char* end) {
  const auto budget = binary::Get<double>(in, end);
  const auto probe_budget = binary::Get<std::int32_t>(in, end);
  const auto steps = binary::Get<std::int32_t>(in, end);
  const auto ret = binary::Get<double>(in, end);
  const auto n = binary::Get<std::uint64_t>(in, end);
  if (n < 1 || n > static_cast<std::uint64_t>(data_->size()) || !(budget > 0) || probe_budget < 1) {
    throw DataError("picker episode state: out of range");
  }
  // Replay the probes through the same code as a live episode: the same derived state, bit for bit.
  struct Replay : PickerLatencyOracle {
    double ms = 0;
    double Probe(int) override { return ms; }
  } replay;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto row = binary::Get<std::int32_t>(in, end);
    const auto ms = binary::Get<double>(in, end);
    const auto action = binary::Get<std::int32_t>(in, end);
    replay.ms = ms;
    if (i == 0) {
      Reset(budget, probe_budget, replay);
      if (row != data_->first_probe()) throw DataError("picker episode state: another first probe");
    } else {
      if (action < 0 || action >= static_cast<int>(picks_.size()) || picks_[U(action)] != row) {
        throw DataError("picker episode state: a probe its action would not choose");
      }
      Record(row, ms, action);
    }
  }
  steps_ = steps;
  return_ = ret;
}

// ---- training environment ----

class PickerVecEnv::SlotOracle : public PickerLatencyOracle {
 public:
  explicit SlotOracle(const Slot& slot) : slot_(slot) {}
  double Probe(int candidate) override { return slot_.latency[U(candidate)]; }

 private:
  const Slot& slot_;
};

PickerVecEnv::PickerVecEnv(const PickerEnvConfig& config, const PickerProcessData& data,
                         const SyntheticDistribution& devices, int num_envs, std::uint64_t seed)
    : config_(config), data_(&data), devices_(&devices) {
  if (num_envs < 1) throw Error("the picker environment needs at least one episode slot");
  if (config_.linear && data.linear() == nullptr) throw Error("picker environment: the linear predictor was not built");
  slots_.resize(static_cast<std::size_t>(num_envs));
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0xfb7e7u};
  std::vector<std::uint64_t> seeds(slots_.size());
  seq.generate(seeds.begin(), seeds.end());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].rng.seed(seeds[i] ^ (static_cast<std::uint64_t>(i) << 32));
    slots_[i].episode = PickerEpisode(&config_, data_);
    ResetSlot(slots_[i]);
  }
}

void PickerVecEnv::SampleDevice(Slot& slot) const {
  slot.latency = devices_->Sample(slot.device_seed, config_.synthetic).LatenciesOf(data_->candidates());
  if (config_.network_sigma > 0) {
    std::mt19937_64 rng(slot.device_seed ^ 0x6e6f697365ULL);
    std::normal_distribution<double> noise(0.0, config_.network_sigma);
    for (double& v : slot.latency) v *= std::exp(noise(rng));
  }
}


void PickerVecEnv::ResetSlot(Slot& slot) {
  slot.device_seed = slot.rng();
  SampleDevice(slot);
  slot.budget_percentile = std::uniform_real_distribution<double>(config_.budget_lo, config_.budget_hi)(slot.rng);
  SlotOracle oracle(slot);
  slot.episode.Reset(Percentile(slot.latency, slot.budget_percentile), config_.probes, oracle);
}

void PickerVecEnv::Observe(float* obs, std::uint8_t* mask) const {
  ObserveSlots(slots_, observation_size(), num_actions(), obs, mask);
}

EpisodeStats PickerVecEnv::Finish(const Slot& slot) const {
  const PickerEpisode& e = slot.episode;
  EpisodeStats s;
  s.episode_return = e.episode_return();
  s.probes = static_cast<int>(e.probes().size());
  s.steps = e.steps();
  s.budget_percentile = slot.budget_percentile / 100.0;
  s.feasible = e.best_row() >= 0;
  s.answer_code = e.best_row();
  s.answer_index = e.best_row();
  if (s.feasible) {
    s.answer_proxy = e.best_score();
    const double ms = slot.latency[U(e.best_row())];
    std::size_t below = 0;
    for (double v : slot.latency) below += v <= ms ? 1 : 0;
    s.answer_percentile = static_cast<double>(below) / static_cast<double>(slot.latency.size());
  }
  return s;
}

void PickerVecEnv::Step(const int* actions, float* rewards, std::uint8_t* dones) {
  StepSlotEpisodes<SlotOracle>(
      slots_, actions, rewards, dones, finished_, [this](const Slot& slot) { return Finish(slot); },
      [this](Slot& slot) { ResetSlot(slot); });
}

std::vector<EpisodeStats> PickerVecEnv::TakeFinished() { return TakeAll(finished_); }

std::string PickerVecEnv::SaveState() const {
  return SaveSlots(slots_, observation_size(), [](const Slot& slot, std::string& out) {
    binary::Put<std::uint64_t>(out, slot.device_seed);
    binary::Put<double>(out, slot.budget_percentile);
    slot.episode.Save(out);
  });
}

void PickerVecEnv::LoadState(const std::string& state) {
  LoadSlots(slots_, observation_size(), state, [this](Slot& slot, const char*& in, const char* end) {
    slot.device_seed = binary::Get<std::uint64_t>(in, end);
    slot.budget_percentile = binary::Get<double>(in, end);
    SampleDevice(slot);
    slot.episode = PickerEpisode(&config_, data_);
    slot.episode.Load(in, end);
  });
}

// ---- deployment ----

PickerEpisode RunPickerController(const ControllerModel& model, const PickerEnvConfig& config,
                                const PickerProcessData& data, PickerLatencyOracle& oracle, double budget_ms,
                                int probe_budget, std::uint64_t seed, bool greedy) {
  const int n_actions = PickerNumActions(config);
  if (model.process != kPickerProcess || model.observation_size() != PickerObservationSize(config) ||
      model.num_actions() != n_actions) {
    throw DataError("picker controller: the model does not fit its decision process's sizes");
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  PickerEpisode episode(&config, &data);
  episode.Reset(budget_ms, probe_budget, oracle);
  std::vector<float> obs(static_cast<std::size_t>(model.observation_size()));
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n_actions));
  std::vector<float> logits(static_cast<std::size_t>(n_actions));
  while (!episode.Done()) {
    episode.Observe(obs.data());
    episode.Mask(mask.data());
    model.Logits(obs.data(), logits.data());
    const int chosen = greedy ? ArgmaxAction(logits.data(), mask.data(), n_actions)
                              : SampleAction(logits.data(), mask.data(), n_actions, u01(rng));
    if (chosen < 0) break;
    episode.Step(chosen, oracle);
  }
  return episode;
}

}  // namespace simnas
