#include "simnas/controller/episode.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <Eigen/Dense>

#include "simnas/controller/binary_io.h"
#include "simnas/core/error.h"
#include "simnas/spaces/nb201/cell_structure.h"

namespace simnas {
namespace {

constexpr std::array<int, kNumEdges> kPow5 = {1, 5, 25, 125, 625, 3125};

int OpOf(int code, int edge) { return (code / kPow5[static_cast<std::size_t>(edge)]) % kNumOps; }
int WithOp(int code, int edge, int op) {
  return code + (op - OpOf(code, edge)) * kPow5[static_cast<std::size_t>(edge)];
}

}  // namespace

bool Episode::Valid(int code, int action) {
  if (action < 0 || action >= kNumActions) return false;
  return OpOf(code, action / kNumOps) != action % kNumOps;
}

void Episode::Reset(const Cell& start, std::optional<double> budget_ms, int probe_budget, LatencyOracle& oracle,
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
  current_ = start.Code();
  reference_ms_ = budget_ ? *budget_ : 1.0;
  Visit(current_, oracle);
  if (!budget_) reference_ms_ = probed_.front().latency_ms;
  FitAdapted();
}

static std::array<double, kNumOps> CountsOf(int code) {
  std::array<double, kNumOps> x{};
  x[0] = 1.0;
  for (std::uint8_t op : CellOpsByCode()[static_cast<std::size_t>(code)]) {
    if (op != 0) x[op] += 1.0;
  }
  return x;
}

double Episode::Adapted(int code) const {
  const auto x = CountsOf(code);
  double v = 0;
  for (int k = 0; k < kNumOps; ++k) v += x[static_cast<std::size_t>(k)] * adapted_[static_cast<std::size_t>(k)];
  return v;
}

void Episode::FitAdapted() {
  // w0: the prior, scaled so that it predicts the first measured cell exactly.
  std::array<double, kNumOps> w0{};
  w0[0] = tables_->prior.fixed_ms;
  for (int op = 1; op < kNumOps; ++op) w0[static_cast<std::size_t>(op)] = tables_->prior.op_ms[static_cast<std::size_t>(op)];
  const ProbedCell& first = probed_.front();
  const auto x0 = CountsOf(first.code);
  double p0 = 0;
  for (int k = 0; k < kNumOps; ++k) p0 += x0[static_cast<std::size_t>(k)] * w0[static_cast<std::size_t>(k)];
  const double scale = p0 > 0 ? first.latency_ms / reference_ms_ / p0 : 1.0;
  for (double& v : w0) v *= scale;
  // (X'X + ridge I) w = X'y + ridge w0, latencies in units of the reference; symmetric
  // positive definite (ridge > 0), solved by Cholesky (LDLT).
  using Vec = Eigen::Matrix<double, kNumOps, 1>;
  const Vec prior = Eigen::Map<const Vec>(w0.data());
  Eigen::Matrix<double, kNumOps, kNumOps> a = config_->ridge * Eigen::Matrix<double, kNumOps, kNumOps>::Identity();
  Vec b = config_->ridge * prior;
  for (const ProbedCell& p : probed_) {
    const auto counts = CountsOf(p.code);
    const Vec x = Eigen::Map<const Vec>(counts.data());
    a.noalias() += x * x.transpose();
    b += x * (p.latency_ms / reference_ms_);
  }
  Eigen::Map<Vec>(adapted_.data()) = a.ldlt().solve(b);
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
  const double ms = oracle.Probe(Cell::FromCode(code));
  if (!(ms > 0) || !std::isfinite(ms)) {
    throw DeviceError(fmt::format("controller: latency {} for {} is not a positive number", ms,
                                  Cell::FromCode(code).ToString()));
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
  if (!Valid(current_, action)) throw Error(fmt::format("controller: invalid action {} at cell code {}", action, current_));
  if (config_->history > 0) {
    const double ms = LatencyOf(current_);
    history_.push_back(HistoryEntry{current_, LatencyFeature(ms), budget_ && ms <= *budget_ ? 1.0f : 0.0f,
                                    tables_->proxy[static_cast<std::size_t>(current_)], action});
    if (static_cast<int>(history_.size()) > config_->history) history_.erase(history_.begin());
  }
  const double before = best_score_;
  const int next = WithOp(current_, action / kNumOps, action % kNumOps);
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
  for (int a = 0; a < kNumActions; ++a) out[a] = Valid(current_, a) ? 1 : 0;
}

void Episode::Observe(float* out) const {
  const int size = ObservationSize(*config_);
  std::fill(out, out + size, 0.0f);
  const bool with_budget = budget_.has_value();
  const double cur_ms = LatencyOf(current_);
  const auto cur = static_cast<std::size_t>(current_);
  double min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  for (const ProbedCell& p : probed_) {
    min_ms = std::min(min_ms, static_cast<double>(p.latency_ms));
    max_ms = std::max(max_ms, static_cast<double>(p.latency_ms));
  }
  // Slope of log(latency) on log(prior) over measured cells: how strongly this device
  // follows the prior (1 until two cells with different priors are measured).
  double slope = 1.0;
  const auto n = static_cast<double>(probed_.size());
  if (probed_.size() >= 2) {
    const double var_x = sxx_ / n - (sx_ / n) * (sx_ / n);
    if (var_x > 1e-6) slope = std::clamp((sxy_ / n - sx_ * sy_ / (n * n)) / var_x, 0.0, 3.0);
  }
  // Best cell so far: the budget rule's, or the paper reward's (l min-max over measured cells).
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

  float* cell = out + kGlobalFeatures;
  for (int e = 0; e < kNumEdges; ++e) cell[e * kNumOps + OpOf(current_, e)] = 1.0f;

  float* act = cell + kCellFeatures;
  const float cur_f = g[2];
  for (int a = 0; a < kNumActions; ++a, act += kActionFeatures) {
    const int edge = a / kNumOps, op = a % kNumOps;
    if (OpOf(current_, edge) == op) continue;  // invalid: all zeros
    const int next = WithOp(current_, edge, op);
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
    // How much the neighbour would beat the best cell so far (by proxy).
    act[6] = best >= 0 ? tables_->proxy[nx] - tables_->proxy[static_cast<std::size_t>(best)] : 0.0f;
    act[7] = static_cast<float>(std::clamp(std::log(std::max(Adapted(next), 1e-3)), -3.0, 3.0));
  }

  float* h = out + kGlobalFeatures + kCellFeatures + kNumActions * kActionFeatures;
  // Most recent pair first; missing pairs stay zero.
  for (auto it = history_.rbegin(); it != history_.rend(); ++it, h += kHistoryFeatures) {
    for (int e = 0; e < kNumEdges; ++e) h[e * kNumOps + OpOf(it->code, e)] = 1.0f;
    h[kCellFeatures + 0] = it->latency_feature;
    h[kCellFeatures + 1] = it->feasible;
    h[kCellFeatures + 2] = it->proxy;
    h[kCellFeatures + 3 + it->action] = 1.0f;
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
  if (current_ < 0 || current_ >= kNumCells || (best_code_ < -1 || best_code_ >= kNumCells) || probed_.empty()) {
    throw DataError("episode state out of range");
  }
  for (const ProbedCell& p : probed_) {
    if (p.code < 0 || p.code >= kNumCells) throw DataError("episode state out of range");
  }
  FitAdapted();
}

}  // namespace simnas
