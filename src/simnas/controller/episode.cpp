#include "simnas/controller/episode.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <Eigen/Dense>

#include "simnas/controller/binary_io.h"
#include "simnas/core/error.h"

namespace simnas {

bool Episode::Valid(int action) const {
  if (action < 0 || action >= tables_->num_actions()) return false;
  const int p = action / tables_->max_choices, c = action % tables_->max_choices;
  return c < tables_->choices[static_cast<std::size_t>(p)] && tables_->Choice(current_, p) != c;
}

void Episode::Reset(int start, std::optional<double> budget_ms, int probe_budget, LatencyOracle& oracle,
                    double lat_min, double lat_max) {
  if (config_->reward == RewardKind::kBudget && !budget_ms) {
    throw Error("the controller was trained for a latency budget; this search has none");
  }
  budget_ = budget_ms;
  probe_budget_ = probe_budget;
  lat_min_ = lat_min;
  lat_max_ = lat_max;
  steps_ = 0;
  probed_.clear();
  history_.clear();
  best_code_ = -1;
  best_score_ = config_->infeasible_score;
  return_ = 0;
  sx_ = sy_ = sxx_ = sxy_ = 0;
  if (start < 0 || start >= tables_->size) throw Error(fmt::format("controller: start code {} out of range", start));
  current_ = start;
  reference_ms_ = budget_ ? *budget_ : 1.0;
  Visit(current_, oracle);
  if (!budget_) reference_ms_ = probed_.front().latency_ms;
  FitAdapted();
}

double Episode::Adapted(int code) const {
  const double* x = tables_->Encoded(code);
  double v = 0;
  for (std::size_t k = 0; k < adapted_.size(); ++k) v += x[k] * adapted_[k];
  return v;
}

void Episode::FitAdapted() {
  // w0: the prior, scaled so that it predicts the first measured architecture exactly.
  const int n = tables_->features;
  using Vec = Eigen::VectorXd;
  Vec w0 = tables_->prior;
  const Eigen::Map<const Vec> x0(tables_->Encoded(probed_.front().code), n);
  double p0 = 0;
  for (int k = 0; k < n; ++k) p0 += x0(k) * w0(k);
  const double scale = p0 > 0 ? probed_.front().latency_ms / reference_ms_ / p0 : 1.0;
  w0 *= scale;
  // (X'X + ridge I) w = X'y + ridge w0, latencies in units of the reference; symmetric
  // positive definite (ridge > 0), solved by Cholesky (LDLT).
  Eigen::MatrixXd a = config_->ridge * Eigen::MatrixXd::Identity(n, n);
  Vec b = config_->ridge * w0;
  for (const ProbedCell& p : probed_) {
    const Eigen::Map<const Vec> x(tables_->Encoded(p.code), n);
    a.noalias() += x * x.transpose();
    b += x * (p.latency_ms / reference_ms_);
  }
  const Vec w = a.ldlt().solve(b);
  adapted_.assign(w.data(), w.data() + n);
}

const ProbedCell* Episode::Find(int code) const {
  for (const ProbedCell& p : probed_) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

double Episode::LatencyOf(int code) const {
  const ProbedCell* p = Find(code);
  return p != nullptr ? p->latency_ms : std::numeric_limits<double>::quiet_NaN();
}

float Episode::LatencyFeature(double ms) const {
  const double f = std::log(std::max(ms, 1e-12) / reference_ms_);
  return static_cast<float>(std::clamp(f, -3.0, 3.0));
}

double Episode::Score(int code) const {
  const auto c = static_cast<std::size_t>(code);
  return config_->rank_score ? tables_->proxy_rank[c] : tables_->proxy[c];
}

void Episode::Visit(int code, LatencyOracle& oracle) {
  if (Find(code) != nullptr) return;
  const Arch& arch = tables_->ArchOf(code);
  const double ms = oracle.Probe(arch);
  if (!(ms > 0) || !std::isfinite(ms)) {
    throw DeviceError(fmt::format("controller: latency {} for {} is not a positive number", ms, arch.ToString()));
  }
  probed_.push_back(ProbedCell{code, static_cast<float>(ms)});
  const double x = tables_->log_prior[static_cast<std::size_t>(code)];
  const double y = std::log(ms);
  sx_ += x;
  sy_ += y;
  sxx_ += x * x;
  sxy_ += x * y;
  if (budget_ && ms <= *budget_) {
    const double s = Score(code);
    if (best_code_ < 0 || s > best_score_) {
      best_score_ = s;
      best_code_ = code;
    }
  }
}

float Episode::PaperReward(int code) const {
  const double span = lat_max_ - lat_min_;
  const double l = span > 0 ? std::clamp((LatencyOf(code) - lat_min_) / span, 0.0, 1.0) : 0.0;
  return static_cast<float>(tables_->proxy[static_cast<std::size_t>(code)] + (1.0 - l));
}

float Episode::Step(int action, LatencyOracle& oracle) {
  if (!Valid(action)) throw Error(fmt::format("controller: invalid action {} at code {}", action, current_));
  if (config_->history > 0) {
    const double ms = LatencyOf(current_);
    history_.push_back(HistoryEntry{current_, LatencyFeature(ms), budget_ && ms <= *budget_ ? 1.0f : 0.0f,
                                    tables_->proxy[static_cast<std::size_t>(current_)], action});
    if (static_cast<int>(history_.size()) > config_->history) history_.erase(history_.begin());
  }
  const double before = best_score_;
  const int next = tables_->WithChoice(current_, action / tables_->max_choices, action % tables_->max_choices);
  const int before_probes = probes_used();
  Visit(next, oracle);
  if (probes_used() != before_probes) FitAdapted();
  current_ = next;
  ++steps_;
  const float reward = config_->reward == RewardKind::kBudget ? static_cast<float>(best_score_ - before)
                                                              : PaperReward(next);
  return_ += reward;
  return reward;
}

bool Episode::Done() const {
  return (probe_budget_ > 0 && probes_used() >= probe_budget_) || steps_ >= config_->horizon;
}

void Episode::Mask(std::uint8_t* out) const {
  for (int a = 0; a < tables_->num_actions(); ++a) out[a] = Valid(a) ? 1 : 0;
}

void Episode::Observe(float* out) const {
  const int num_actions = tables_->num_actions(), stride = tables_->max_choices, positions = tables_->positions;
  const int size = ObservationSize(*config_, num_actions);
  std::fill(out, out + size, 0.0f);
  const bool with_budget = budget_.has_value();
  const double cur_ms = LatencyOf(current_);
  const auto cur = static_cast<std::size_t>(current_);
  double min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  for (const ProbedCell& p : probed_) {
    min_ms = std::min(min_ms, static_cast<double>(p.latency_ms));
    max_ms = std::max(max_ms, static_cast<double>(p.latency_ms));
  }
  // Slope of log(latency) on log(prior) over measured architectures: how strongly this device
  // follows the prior (1 until two with different priors are measured).
  double slope = 1.0;
  const auto n = static_cast<double>(probed_.size());
  if (probed_.size() >= 2) {
    const double var_x = sxx_ / n - (sx_ / n) * (sx_ / n);
    if (var_x > 1e-6) slope = std::clamp((sxy_ / n - sx_ * sy_ / (n * n)) / var_x, 0.0, 3.0);
  }
  // Best so far: the budget rule's, or the paper reward's (l min-max over measured architectures).
  int best = best_code_;
  double best_value = best_code_ >= 0 ? best_score_ : 0.0;
  if (!with_budget) {
    best_value = -1;
    for (const ProbedCell& p : probed_) {
      const double span = max_ms - min_ms;
      const double l = span > 0 ? (p.latency_ms - min_ms) / span : 0.0;
      const double r = (tables_->proxy[static_cast<std::size_t>(p.code)] + 1.0 - l) / 2.0;
      if (r > best_value) {
        best_value = r;
        best = p.code;
      }
    }
  }
  float* g = out;
  g[0] = probe_budget_ > 0 ? static_cast<float>(probe_budget_ - probes_used()) / static_cast<float>(probe_budget_) : 1.0f;
  g[1] = static_cast<float>(config_->horizon - steps_) / static_cast<float>(config_->horizon);
  g[2] = LatencyFeature(cur_ms);
  g[3] = with_budget && cur_ms <= *budget_ ? 1.0f : 0.0f;
  g[4] = tables_->proxy[cur];
  g[5] = static_cast<float>(best_value);
  g[6] = best >= 0 ? 1.0f : 0.0f;
  g[7] = best == current_ ? 1.0f : 0.0f;
  g[8] = best >= 0 ? LatencyFeature(LatencyOf(best)) : 0.0f;
  g[9] = LatencyFeature(min_ms);
  g[10] = LatencyFeature(max_ms);
  g[11] = static_cast<float>(slope);
  g[12] = probe_budget_ > 0 ? static_cast<float>(probes_used()) / static_cast<float>(probe_budget_)
                            : static_cast<float>(steps_) / static_cast<float>(config_->horizon);
  g[13] = tables_->proxy_rank[cur];
  g[14] = best >= 0 ? tables_->proxy_rank[static_cast<std::size_t>(best)] : 0.0f;
  g[15] = with_budget ? 1.0f : 0.0f;

  float* arch = out + kGlobalFeatures;
  for (int p = 0; p < positions; ++p) arch[p * stride + tables_->Choice(current_, p)] = 1.0f;

  float* act = arch + num_actions;
  const float cur_f = g[2];
  for (int a = 0; a < num_actions; ++a, act += kActionFeatures) {
    if (!Valid(a)) continue;  // all zeros
    const int next = tables_->WithChoice(current_, a / stride, a % stride);
    const auto nx = static_cast<std::size_t>(next);
    const float dprior = tables_->log_prior[nx] - tables_->log_prior[cur];
    act[0] = 1.0f;
    act[1] = tables_->proxy[nx] - tables_->proxy[cur];
    act[2] = dprior;
    act[3] = std::clamp(cur_f + static_cast<float>(slope) * dprior, -3.0f, 3.0f);
    if (const ProbedCell* p = Find(next)) {
      act[4] = 1.0f;
      act[5] = LatencyFeature(p->latency_ms);
    }
    // How much the neighbour would beat the best so far (by proxy).
    act[6] = best >= 0 ? tables_->proxy[nx] - tables_->proxy[static_cast<std::size_t>(best)] : 0.0f;
    act[7] = static_cast<float>(std::clamp(std::log(std::max(Adapted(next), 1e-3)), -3.0, 3.0));
  }

  float* h = out + kGlobalFeatures + num_actions + num_actions * kActionFeatures;
  // Most recent pair first; missing pairs stay zero.
  for (auto it = history_.rbegin(); it != history_.rend(); ++it, h += HistoryFeatures(num_actions)) {
    for (int p = 0; p < positions; ++p) h[p * stride + tables_->Choice(it->code, p)] = 1.0f;
    h[num_actions + 0] = it->latency_feature;
    h[num_actions + 1] = it->feasible;
    h[num_actions + 2] = it->proxy;
    h[num_actions + 3 + it->action] = 1.0f;
  }
}

void Episode::Save(std::string& out) const {
  binary::Put<std::uint8_t>(out, budget_.has_value() ? 1 : 0);
  binary::Put<double>(out, budget_.value_or(0));
  binary::Put<std::int32_t>(out, probe_budget_);
  binary::Put<double>(out, reference_ms_);
  binary::Put<double>(out, lat_min_);
  binary::Put<double>(out, lat_max_);
  binary::Put<std::int32_t>(out, current_);
  binary::Put<std::int32_t>(out, steps_);
  binary::PutVector(out, probed_);
  binary::PutVector(out, history_);
  binary::Put<std::int32_t>(out, best_code_);
  binary::Put<double>(out, best_score_);
  binary::Put<double>(out, return_);
  for (double v : {sx_, sy_, sxx_, sxy_}) binary::Put<double>(out, v);
}

void Episode::Load(const char*& in, const char* end) {
  const bool has_budget = binary::Get<std::uint8_t>(in, end) != 0;
  const double budget = binary::Get<double>(in, end);
  budget_ = has_budget ? std::optional<double>(budget) : std::nullopt;
  probe_budget_ = binary::Get<std::int32_t>(in, end);
  reference_ms_ = binary::Get<double>(in, end);
  lat_min_ = binary::Get<double>(in, end);
  lat_max_ = binary::Get<double>(in, end);
  current_ = binary::Get<std::int32_t>(in, end);
  steps_ = binary::Get<std::int32_t>(in, end);
  probed_ = binary::GetVector<ProbedCell>(in, end, 100000);
  history_ = binary::GetVector<HistoryEntry>(in, end, 1000);
  best_code_ = binary::Get<std::int32_t>(in, end);
  best_score_ = binary::Get<double>(in, end);
  return_ = binary::Get<double>(in, end);
  sx_ = binary::Get<double>(in, end);
  sy_ = binary::Get<double>(in, end);
  sxx_ = binary::Get<double>(in, end);
  sxy_ = binary::Get<double>(in, end);
  const int n = tables_->size;
  if (current_ < 0 || current_ >= n || (best_code_ < -1 || best_code_ >= n) || probed_.empty()) {
    throw DataError("episode state out of range");
  }
  for (const ProbedCell& p : probed_) {
    if (p.code < 0 || p.code >= n) throw DataError("episode state out of range");
  }
  for (const HistoryEntry& e : history_) {
    if (e.code < 0 || e.code >= n || e.action < 0 || e.action >= tables_->num_actions()) {
      throw DataError("episode state out of range");
    }
  }
  FitAdapted();
}

}  // namespace simnas
