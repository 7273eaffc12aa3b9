// simnas synth: inspect the synthetic devices of --space (synthetic/), the ones synthetic:SEED
// opens and the controller is trained on.
//   synth fit      the lookup table fitted to every train device (fit= of --options), with its
//                  Spearman rho and R^2 against the real table (and on live positions only, for
//                  a space with dead positions), and the per-entry Gaussians over them.
//   synth sample   sampled devices (--options as in synthetic:SEED,OPTIONS) and their SRCC to
//                  each other and to the space's real tables; --plot draws the score-vs-latency
//                  cloud of a few of them (Sim-is-More, Fig. 2).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/space/space.h"
#include "simnas/space/space_data.h"
#include "simnas/synthetic/synthetic_distribution.h"
#include "simnas/workspace/workspace.h"

namespace simnas::cli {
namespace {

nlohmann::json LutJson(const SyntheticLut& lut) {
  return {{"fixed_ms", lut.fixed_ms},
          {"mean_random_ms", lut.MeanRandomLatency()},
          {"live_only", lut.live_only},
          {"cost_ms", lut.cost_ms}};
}

std::string Spread(std::vector<double> v) {
  if (v.empty()) return "-";
  return fmt::format("mean {:.3f}, min {:.3f}, p10 {:.3f}, median {:.3f}, p90 {:.3f}, max {:.3f}", Mean(v),
                     *std::min_element(v.begin(), v.end()), Percentile(v, 10), Percentile(v, 50), Percentile(v, 90),
                     *std::max_element(v.begin(), v.end()));
}

void Fit(CliContext& ctx, const std::string& options_text, bool json) {
  const Space& space = ctx.space();
  const SpaceData& data = ctx.DataOf(space);
  const SyntheticOptions options = SyntheticOptions::Parse(options_text, space.DefaultSyntheticOptions());
  const SyntheticDistribution d = FitSyntheticDistribution(data, options.fit);
  const auto& fits = d.fits();
  const auto& live = d.live_fits();
  if (json) {
    nlohmann::json devices = nlohmann::json::array();
    for (std::size_t i = 0; i < fits.size(); ++i) {
      nlohmann::json row = {{"device", fits[i].device}, {"r2", fits[i].r2}, {"spearman", fits[i].spearman},
                            {"lut", LutJson(fits[i].lut)}};
      if (!live.empty()) {
        row["live"] = {{"r2", live[i].r2}, {"spearman", live[i].spearman}, {"lut", LutJson(live[i].lut)}};
      }
      devices.push_back(row);
    }
    nlohmann::json gaussians = nlohmann::json::object();
    for (std::size_t k = 0; k < d.gaussians().size(); ++k) {
      gaussians[d.EntryName(static_cast<int>(k))] = {d.gaussians()[k].mean, d.gaussians()[k].stddev};
    }
    PrintJson({{"space", space.name()}, {"fit", LutFitKindName(options.fit)}, {"devices", devices},
               {"gaussians", gaussians}});
    return;
  }
  fmt::print("{} train devices: lookup tables (fit={}: fixed part + {}), least squares on {}\n"
             "(rho = Spearman, R2 of the table's predictions against the measured table):\n",
             space.name(), LutFitKindName(options.fit),
             options.fit == LutFitKind::kShared ? "one cost per choice" : "one cost per position and choice",
             data.Numbering().source());
  fmt::print("  {:<18} {:>10} {:>12} {:>7} {:>7}{}\n", "device", "fixed ms", "mean ms", "rho", "R2",
             live.empty() ? "" : "   live: rho      R2");
  std::vector<double> rhos;
  for (std::size_t i = 0; i < fits.size(); ++i) {
    const LutFit& f = fits[i];
    fmt::print("  {:<18} {:>10.3f} {:>12.3f} {:>7.3f} {:>7.3f}", f.device, f.lut.fixed_ms, f.lut.MeanRandomLatency(),
               f.spearman, f.r2);
    if (!live.empty()) fmt::print("  {:>11.3f} {:>7.3f}", live[i].spearman, live[i].r2);
    fmt::print("\n");
    rhos.push_back(f.spearman);
  }
  fmt::print("  mean rho {:.3f}, min rho {:.3f}\n", Mean(rhos), *std::min_element(rhos.begin(), rhos.end()));
  if (d.gaussians().empty() || d.gaussians().size() > 16) return;
  fmt::print("Per-entry Gaussians (mean +- std over the {} train devices):\n ", fits.size());
  for (std::size_t k = 0; k < d.gaussians().size(); ++k) {
    fmt::print(" {} {:.3f} +- {:.3f}", d.EntryName(static_cast<int>(k)), d.gaussians()[k].mean,
               d.gaussians()[k].stddev);
  }
  fmt::print("\n");
}

struct SampleArgs {
  std::uint64_t seed = 0;
  int count = 5;
  std::string options = "default";
  std::string plot;
  std::string dataset;
  ProxyArgs proxy;
  bool json = false;
};

void Plot(CliContext& ctx, const SampleArgs& args, const std::vector<SyntheticLut>& devices,
          const SyntheticOptions& options) {
  const Space& space = ctx.space();
  const Dataset dataset = args.dataset.empty() ? space.Datasets().front() : ParseDataset(args.dataset);
  const ScoreTable scores = ctx.Ws().ScoresOf(space, dataset, args.proxy.aggregate, args.proxy.proxy_table);
  const CandidateSet& candidates = ctx.Numbering();
  const std::filesystem::path png(args.plot);
  const std::filesystem::path dat = std::filesystem::path(png).replace_extension(".dat");
  const int shown = std::min(args.count, 6);
  std::string text = "# one block per device: latency_ms score_normalized (numbering order)\n";
  for (int i = 0; i < shown; ++i) {
    const std::vector<double> lat = devices[static_cast<std::size_t>(i)].LatenciesOf(candidates);
    text += fmt::format("# device {}\n", args.seed + static_cast<std::uint64_t>(i));
    for (int index = 0; index < candidates.size(); ++index) {
      text += fmt::format("{:.5g} {:.5f}\n", lat[static_cast<std::size_t>(index)], scores.Normalized(index));
    }
    text += "\n\n";
  }
  WriteFileAtomically(dat, text);
  const int cols = shown <= 3 ? shown : 3;
  const int rows = (shown + cols - 1) / cols;
  std::string script = fmt::format("set multiplot layout {},{} title {}\n", rows, cols,
                                   GnuplotQuote(fmt::format("Synthetic devices ({}): score vs latency, {}",
                                                            options.ToString(), DatasetName(dataset))));
  for (int i = 0; i < shown; ++i) {
    script += fmt::format(
        "set title 'synthetic:{}'\nset xlabel 'latency (ms)'\nset ylabel '{} (normalized)'\n"
        "unset key\nplot {} index {} using 1:2 with dots lc rgb '#1f77b4'\n",
        args.seed + static_cast<std::uint64_t>(i), scores.name(), GnuplotQuote(dat.string()), i);
  }
  script += "unset multiplot\n";
  RenderGnuplot(script, png, 400 * cols, 330 * rows);
  fmt::print(stderr, "wrote {} (data {})\n", png.string(), dat.string());
}

void Sample(CliContext& ctx, const SampleArgs& args, bool options_given) {
  const Space& space = ctx.space();
  const SpaceData& data = ctx.DataOf(space);
  const SyntheticOptions options = SyntheticOptions::Parse(args.options, space.DefaultSyntheticOptions());
  const SyntheticDistribution distribution = FitSyntheticDistribution(data, options.fit);
  std::vector<SyntheticLut> devices;
  std::vector<std::string> specs;
  for (int i = 0; i < args.count; ++i) {
    const std::uint64_t seed = args.seed + static_cast<std::uint64_t>(i);
    devices.push_back(distribution.Sample(seed, options));
    specs.push_back(options_given ? fmt::format("synthetic:{},{}", seed, options.ToString())
                                  : fmt::format("synthetic:{}", seed));
  }
  std::vector<const LatencyTable*> real;
  std::vector<bool> is_test;
  for (const std::string& d : data.DeviceNames()) {
    real.push_back(&data.DeviceTable(d));
    is_test.push_back(space.IsTestDevice(d));
  }
  const CandidateSet& candidates = data.Numbering();
  const SyntheticComparison c = CompareSynthetic(devices, candidates, real, is_test);
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const std::vector<double> lat = devices[i].LatenciesOf(candidates);
      list.push_back({{"spec", specs[i]},
                      {"p10_ms", Percentile(lat, 10)},
                      {"p90_ms", Percentile(lat, 90)},
                      {"measure_noise", devices[i].measure_noise},
                      {"lut", LutJson(devices[i])}});
    }
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& r : c.real) {
      tables.push_back({{"device", r.device}, {"split", r.test ? "test" : "train"}, {"best", r.best},
                        {"mean", r.mean}, {"worst", r.worst}});
    }
    PrintJson({{"space", space.name()},
               {"options", options.ToString()},
               {"devices", list},
               {"pairwise_synthetic", c.pairwise_synthetic},
               {"pairwise_real", c.pairwise_real},
               {"pairwise_real_train", c.pairwise_real_train},
               {"real", tables}});
  } else {
    fmt::print("{} synthetic devices synthetic:{}..{} ({}; fitted on {} train tables), over {}:\n", space.name(),
               args.seed, args.seed + static_cast<std::uint64_t>(args.count) - 1, options.ToString(),
               distribution.fits().size(), candidates.source());
    fmt::print("  {:<16} {:>10} {:>10} {:>10} {:>10} {:>5}\n", "spec", "fixed ms", "mean ms", "p10 ms", "p90 ms", "live");
    for (int i = 0; i < args.count && i < 10; ++i) {
      const SyntheticLut& d = devices[static_cast<std::size_t>(i)];
      const std::vector<double> lat = d.LatenciesOf(candidates);
      fmt::print("  {:<16} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>5}\n",
                 fmt::format("synthetic:{}", args.seed + static_cast<std::uint64_t>(i)), d.fixed_ms,
                 d.MeanRandomLatency(), Percentile(lat, 10), Percentile(lat, 90), d.live_only ? "yes" : "no");
    }
    if (args.count > 10) fmt::print("  ... ({} more; --json lists all)\n", args.count - 10);
    fmt::print("SRCC between sampled devices ({} pairs): {}\n", c.pairwise_synthetic.size(), Spread(c.pairwise_synthetic));
    fmt::print("SRCC between the train tables ({} pairs): {}\n", c.pairwise_real_train.size(),
               Spread(c.pairwise_real_train));
    fmt::print("SRCC between all tables ({} pairs): {}\n", c.pairwise_real.size(), Spread(c.pairwise_real));
    fmt::print("SRCC of the sampled devices to each real table (best / mean / worst over the {}):\n", args.count);
    for (const auto& r : c.real) {
      fmt::print("  {:<18} {:<5} {:>7.3f} {:>7.3f} {:>7.3f}\n", r.device, r.test ? "test" : "train", r.best, r.mean,
                 r.worst);
    }
  }
  if (!args.plot.empty()) Plot(ctx, args, devices, options);
}

}  // namespace

void AddSynthCommand(CLI::App& app, CliContext& ctx) {
  auto* synth = app.add_subcommand("synth", "Synthetic devices of --space: per-device table fits, samples, plots");
  synth->require_subcommand(1);
  const std::string options_help =
      "Synthetic options (as in synthetic:SEED,OPTIONS): paper | default | fit=shared|position, "
      "sampler=gaussian|lognormal|mixture|dirichlet, live=P, scale=S, op_noise=S, noise=S, mix_sigma=S, alpha=A, "
      "stage_sigma=S, choice_sigma=S, entry_sigma=S (default: the space's)";

  auto* fit = synth->add_subcommand("fit", "Fit the lookup table of every train device; report rho and R^2");
  auto fit_json = std::make_shared<bool>(false);
  auto fit_options = std::make_shared<std::string>("default");
  fit->add_option("--options", *fit_options, options_help + "; only fit= matters here");
  fit->add_flag("--json", *fit_json, "Print JSON");
  fit->callback([&ctx, fit_json, fit_options] { Fit(ctx, *fit_options, *fit_json); });

  auto args = std::make_shared<SampleArgs>();
  auto* sample = synth->add_subcommand("sample", "Sample synthetic devices (as synthetic:SEED,OPTIONS would)");
  sample->add_option("--seed", args->seed, "First seed (devices use seeds seed, seed+1, ...)");
  sample->add_option("--count", args->count, "How many devices")->check(CLI::Range(1, 1000));
  auto* options_opt = sample->add_option("--options", args->options, options_help);
  sample->add_option("--plot", args->plot, "Draw the score-vs-latency cloud of (up to 6 of) the devices to this PNG");
  sample->add_option("--dataset", args->dataset, "Dataset of the scores for --plot (default: the space's first)");
  AddProxyOptions(sample, args->proxy, "Proxy table for --plot (default: the shipped one)",
                  "Score source for --plot (default: the space's)");
  sample->add_flag("--json", args->json, "Print JSON");
  sample->callback([&ctx, args, options_opt] { Sample(ctx, *args, options_opt->count() > 0); });
}

}  // namespace simnas::cli
