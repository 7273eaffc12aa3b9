// The distribution of synthetic devices of any search space (Sim-is-More, Sec. 3.2: domain
// randomization over lookup-table devices), fitted on the space's TRAIN device tables only.
//
// Fits (`fit=`): one SyntheticLut per train device (synthetic_lut.h): `shared` (one cost per
// choice, shared by every position: the paper's op table) or `position` (one cost per
// (position, choice)). A fit's *entries* are its fixed part, then its distinct costs (shared:
// one per non-reference choice; position: every (position, choice) in order).
//
// Samplers (`sampler=`), each over the train fits' entries:
//  - gaussian (paper): an independent Gaussian per entry, truncated to positive values.
//  - lognormal: one multivariate Gaussian over the logs of the entries (keeps their
//    correlations; entries fitted below zero are floored at 1e-3 x fixed).
//  - mixture: a random train fit, each entry multiplied by exp(N(0, mix_sigma)), signs kept.
//  - dirichlet: mixture weights from a Dirichlet(alpha) over the train fits, each fit divided by
//    its mean latency over uniformly random architectures, mixed, then scaled back by the
//    weighted geometric mean of those latencies; each stage's costs (Space::PositionStages)
//    multiplied by its own exp(N(0, stage_sigma)), each choice's (at every position) by
//    exp(N(0, choice_sigma)), and the fixed part and every cost by exp(N(0, entry_sigma)).
// Then, each off by default:
//  - live: probability that a device runs only live positions (Space::LivePositions; a compiler
//    that drops dead work); its entries come from fits on live positions.
//  - scale: the whole device multiplied by exp(N(0, scale)).
//  - op_noise: each (position, non-reference choice) cost multiplied by its own exp(N(0, op_noise)).
//  - noise: each measurement multiplied by exp(N(0, noise)).
// A device is a pure function of the seed and the options (draws in a fixed order).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "simnas/synthetic/synthetic_lut.h"

namespace simnas {

class Space;
class SpaceData;

struct GaussianParam {
  double mean = 0;
  double stddev = 0;
};

enum class SyntheticSampler { kGaussian, kLogNormal, kMixture, kDirichlet };
std::string_view SyntheticSamplerName(SyntheticSampler sampler);

struct SyntheticOptions {
  LutFitKind fit = LutFitKind::kShared;
  SyntheticSampler sampler = SyntheticSampler::kGaussian;
  double live_prob = 0;
  double scale_sigma = 0;
  double op_noise = 0;
  double measure_noise = 0;
  double mixture_sigma = 0.15;
  // dirichlet (defaults chosen on FBNet's train tables, docs/fbnet-synthetic.md)
  double alpha = 0.1;
  double stage_sigma = 0.1;
  double choice_sigma = 0.2;
  double entry_sigma = 0.03;

  // The paper's distribution (fit=shared, sampler=gaussian, everything else off).
  static SyntheticOptions Paper() { return SyntheticOptions{}; }
  // "key=value,..." with keys fit, sampler, live, scale, op_noise, noise, mix_sigma, alpha,
  // stage_sigma, choice_sigma, entry_sigma; also the presets "paper" and "default" (alone, or
  // first and then overridden). `space_default` is what "default" and an empty text mean
  // (Space::DefaultSyntheticOptions). Throws ParseError naming the bad item.
  static SyntheticOptions Parse(std::string_view text, std::string_view space_default = "paper");
  // The options `synthetic:SEED` takes on `space` without any.
  static SyntheticOptions DefaultOf(const Space& space);
  // Canonical "key=value,..." (Parse(ToString()) gives the same options).
  std::string ToString() const;
  bool operator==(const SyntheticOptions&) const = default;
};

class SyntheticDistribution {
 public:
  // `all_fits`: one fit per train device of `space` (at least one; two for the gaussian and
  // lognormal samplers), all of one kind; `live_fits`: the same devices fitted on live
  // positions (may be empty; then live > 0 is refused). Throws Error naming a test device.
  SyntheticDistribution(const Space& space, std::vector<LutFit> all_fits, std::vector<LutFit> live_fits = {});

  // The device of `seed` under `options` (the same seed and options give the same device).
  // Throws Error when options.fit is not the fits' kind.
  SyntheticLut Sample(std::uint64_t seed, const SyntheticOptions& options) const;
  // The same from an rng's state (several devices from one stream).
  SyntheticLut SampleDevice(std::mt19937_64& rng, const SyntheticOptions& options) const;

  const Space& space() const { return *space_; }
  LutFitKind kind() const;
  const std::vector<LutFit>& fits() const { return all_.fits; }
  const std::vector<LutFit>& live_fits() const { return live_.fits; }
  // Gaussian of each entry over the fits (entry 0 is the fixed part; empty with one fit).
  const std::vector<GaussianParam>& gaussians() const { return all_.gaussian; }
  // Name of entry k ("fixed", a choice for shared fits, "position/choice" otherwise).
  std::string EntryName(int k) const;

 private:
  struct Family {
    std::vector<LutFit> fits;
    std::vector<std::vector<double>> entries;   // [fit][entry]
    std::vector<double> mean_ms;                // MeanRandomLatency of each fit
    std::vector<GaussianParam> gaussian;        // [entry]
    std::vector<double> log_mean;               // lognormal: over log entries
    std::vector<std::vector<double>> log_chol;  // lower Cholesky factor
  };
  Family FitFamily(std::vector<LutFit> fits) const;
  std::vector<double> EntriesOf(const SyntheticLut& lut) const;
  SyntheticLut FromEntries(const std::vector<double>& entries, bool live_only) const;
  SyntheticLut SampleFrom(const Family& family, const SyntheticOptions& options, std::mt19937_64& rng) const;
  SyntheticLut SampleDirichlet(const Family& family, const SyntheticOptions& options, std::mt19937_64& rng) const;

  const Space* space_;
  SyntheticLut shape_;  // zeros shaped like the space
  std::vector<int> stages_;
  std::vector<int> reference_;  // reference choice of every position
  bool shared_ = false;
  Family all_;
  Family live_;
};

// Fits every train device of `data` (never a test device: Error naming it) but those in
// `exclude`, with `kind`; live-position fits too when the space has dead positions.
SyntheticDistribution FitSyntheticDistribution(const SpaceData& data, LutFitKind kind,
                                               const std::vector<std::string>& exclude = {});
// The same from explicit tables (one latency per architecture of `candidates`).
SyntheticDistribution FitSyntheticDistribution(const CandidateSet& candidates,
                                               const std::vector<const LatencyTable*>& tables, LutFitKind kind);

// How sampled devices compare to real tables over the same architectures (SRCC).
struct SyntheticComparison {
  struct Real {
    std::string device;
    bool test = false;
    double best = 0;  // best SRCC of any sampled device to this table
    double mean = 0;  // mean over the sampled devices
    double worst = 0;
  };
  std::vector<double> pairwise_synthetic;   // every pair of sampled devices
  std::vector<double> pairwise_real;        // every pair of real tables
  std::vector<double> pairwise_real_train;  // every pair of real train tables (what tuning may look at)
  std::vector<Real> real;                   // one per real table, in the order given
};
// `devices` sampled tables; `real[d]` a table of latencies of `candidates` (in order), `is_test[d]` its split.
SyntheticComparison CompareSynthetic(const std::vector<SyntheticLut>& devices, const CandidateSet& candidates,
                                     const std::vector<const LatencyTable*>& real, const std::vector<bool>& is_test);

}  // namespace simnas
