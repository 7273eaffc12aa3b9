// simnas synth: inspect the synthetic devices the controller is trained on.
//   synth fit      the op lookup table fitted to every train device, with its Spearman rho and
//                  R^2 against the real table (every edge counted, and live edges only), and
//                  the distribution fitted over them.
//   synth sample   sampled devices (--options as in synthetic:SEED,OPTIONS); --plot draws the
//                  proxy-vs-latency cloud of a few of them (paper Fig. 2).
// Under --space fbnet: `fit` the per-layer-per-block table of every FBNet train device (R^2,
// SRCC); `sample` the devices synthetic:SEED would be and their SRCC to each other and to
// HELP's 23 real tables (synthetic/fbnet_synthetic.h).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/data/device_split.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/synthetic/fbnet_synthetic.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas::cli {
namespace {

nlohmann::json ModelJson(const OpLatencyModel& m) {
  nlohmann::json ops = nlohmann::json::object();
  for (int op = 1; op < kNumOps; ++op) ops[std::string(OpName(static_cast<Op>(op)))] = m.op_ms[static_cast<std::size_t>(op)];
  return {{"fixed_ms", m.fixed_ms}, {"op_ms", ops}, {"counts", std::string(OpCountKindName(m.counts))}};
}

nlohmann::json DeviceJson(const SyntheticDeviceModel& d) {
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& e : d.edge_op_ms) edges.push_back({e[1], e[2], e[3], e[4]});
  return {{"fixed_ms", d.fixed_ms},
          {"live_only", d.live_only},
          {"measure_noise", d.measure_noise},
          {"edge_op_ms", edges},
          {"mean_op_model", ModelJson(d.MeanOpModel())}};
}

void PrintModelRow(const std::string& name, const OpLatencyModel& m, double rho, double r2) {
  fmt::print("  {:<14} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}  {:>6.3f} {:>6.3f}\n", name, m.fixed_ms, m.op_ms[1],
             m.op_ms[2], m.op_ms[3], m.op_ms[4], rho, r2);
}

void PrintHeader() {
  fmt::print("  {:<14} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>6} {:>6}\n", "device", "fixed", "skip", "conv1x1", "conv3x3",
             "avgpool", "rho", "R2");
}

nlohmann::json LutJson(const FbnetLut& lut) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : lut.block_ms) layers.push_back(std::vector<double>(layer.begin(), layer.end()));
  return {{"fixed_ms", lut.fixed_ms}, {"mean_random_ms", lut.MeanRandomLatency()}, {"block_ms", layers}};
}

void FbnetFit(CliContext& ctx, bool json) {
  const std::vector<FbnetLutFit> fits = FitFbnetTrainDevices(ctx.Fbnet());
  if (json) {
    nlohmann::json devices = nlohmann::json::array();
    for (const FbnetLutFit& f : fits) {
      devices.push_back({{"device", f.device}, {"r2", f.r2}, {"spearman", f.spearman}, {"lut", LutJson(f.lut)}});
    }
    PrintJson({{"space", "fbnet"}, {"devices", devices}});
    return;
  }
  fmt::print("FBNet train devices: lookup table of 22 layers x 9 blocks + fixed part, least squares on HELP's {} "
             "networks\n(rho = Spearman, R2 of the table's predictions against the measured table):\n",
             ctx.Fbnet().Archs().size());
  fmt::print("  {:<18} {:>10} {:>12} {:>7} {:>7}\n", "device", "fixed ms", "mean ms", "rho", "R2");
  std::vector<double> rhos, r2s;
  for (const FbnetLutFit& f : fits) {
    fmt::print("  {:<18} {:>10.3f} {:>12.3f} {:>7.3f} {:>7.3f}\n", f.device, f.lut.fixed_ms, f.lut.MeanRandomLatency(),
               f.spearman, f.r2);
    rhos.push_back(f.spearman);
    r2s.push_back(f.r2);
  }
  fmt::print("  mean rho {:.3f} (min {:.3f}), mean R2 {:.3f} (min {:.3f})\n", Mean(rhos),
             *std::min_element(rhos.begin(), rhos.end()), Mean(r2s), *std::min_element(r2s.begin(), r2s.end()));
}

std::string Spread(std::vector<double> v) {
  if (v.empty()) return "-";
  return fmt::format("mean {:.3f}, min {:.3f}, p10 {:.3f}, median {:.3f}, p90 {:.3f}, max {:.3f}", Mean(v),
                     *std::min_element(v.begin(), v.end()), Percentile(v, 10), Percentile(v, 50), Percentile(v, 90),
                     *std::max_element(v.begin(), v.end()));
}

void FbnetSample(CliContext& ctx, std::uint64_t seed, int count, const FbnetSyntheticOptions& options, bool json) {
  FbnetTables& fbnet = ctx.Fbnet();
  const FbnetSyntheticDistribution distribution = FitFbnetSyntheticDistribution(fbnet, options);
  std::vector<FbnetLut> devices;
  for (int i = 0; i < count; ++i) devices.push_back(distribution.Sample(seed + static_cast<std::uint64_t>(i)));
  std::vector<const LatencyTable*> real;
  std::vector<bool> is_test;
  for (const std::string& d : FbnetDeviceNames()) {
    real.push_back(&fbnet.Table(d));
    is_test.push_back(IsFbnetTestDevice(d));
  }
  const std::vector<FbnetArch>& archs = fbnet.Archs();
  const FbnetSyntheticComparison c = CompareFbnetSynthetic(devices, archs, real, is_test);
  const std::string opts = fmt::format("alpha={},stage_sigma={},block_sigma={},entry_sigma={}", options.alpha,
                                       options.stage_sigma, options.block_sigma, options.entry_sigma);
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
      const std::vector<double> lat = devices[static_cast<std::size_t>(i)].LatenciesOf(archs);
      list.push_back({{"spec", fmt::format("synthetic:{}", seed + static_cast<std::uint64_t>(i))},
                      {"p10_ms", Percentile(lat, 10)},
                      {"p90_ms", Percentile(lat, 90)},
                      {"lut", LutJson(devices[static_cast<std::size_t>(i)])}});
    }
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& r : c.real) {
      tables.push_back({{"device", r.device}, {"split", r.test ? "test" : "train"}, {"best", r.best},
                        {"mean", r.mean}, {"worst", r.worst}});
    }
    PrintJson({{"space", "fbnet"},
               {"options", opts},
               {"devices", list},
               {"pairwise_synthetic", c.pairwise_synthetic},
               {"pairwise_real", c.pairwise_real},
               {"pairwise_real_train", c.pairwise_real_train},
               {"real", tables}});
    return;
  }
  fmt::print("FBNet synthetic devices synthetic:{}..{} ({}; fitted on {} train tables), over HELP's {} networks:\n",
             seed, seed + static_cast<std::uint64_t>(count) - 1, opts, distribution.fits().size(), archs.size());
  fmt::print("  {:<16} {:>10} {:>10} {:>10} {:>10}\n", "spec", "fixed ms", "mean ms", "p10 ms", "p90 ms");
  for (int i = 0; i < count && i < 10; ++i) {
    const FbnetLut& d = devices[static_cast<std::size_t>(i)];
    const std::vector<double> lat = d.LatenciesOf(archs);
    fmt::print("  {:<16} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f}\n",
               fmt::format("synthetic:{}", seed + static_cast<std::uint64_t>(i)), d.fixed_ms, d.MeanRandomLatency(),
               Percentile(lat, 10), Percentile(lat, 90));
  }
  if (count > 10) fmt::print("  ... ({} more; --json lists all)\n", count - 10);
  fmt::print("SRCC between sampled devices ({} pairs): {}\n", c.pairwise_synthetic.size(), Spread(c.pairwise_synthetic));
  fmt::print("SRCC between HELP's train tables ({} pairs): {}\n", c.pairwise_real_train.size(),
             Spread(c.pairwise_real_train));
  fmt::print("SRCC between all HELP's tables ({} pairs): {}\n", c.pairwise_real.size(), Spread(c.pairwise_real));
  fmt::print("SRCC of the sampled devices to each real table (best / mean / worst over the {}):\n", count);
  for (const auto& r : c.real) {
    fmt::print("  {:<18} {:<5} {:>7.3f} {:>7.3f} {:>7.3f}\n", r.device, r.test ? "test" : "train", r.best, r.mean,
               r.worst);
  }
}

}  // namespace

void AddSynthCommand(CLI::App& app, CliContext& ctx) {
  auto* synth = app.add_subcommand("synth", "Synthetic devices: per-device op-table fits, samples, plots");
  synth->require_subcommand(1);

  auto* fit = synth->add_subcommand("fit", "Fit the op lookup table of every train device; report rho and R^2");
  auto fit_json = std::make_shared<bool>(false);
  fit->add_flag("--json", *fit_json, "Print JSON");
  fit->callback([&ctx, fit_json] {
    if (&ctx.space() == &FbnetSpace()) return FbnetFit(ctx, *fit_json);
    const TrainDeviceFits fits = FitTrainDevices(ctx.Data());
    if (*fit_json) {
      nlohmann::json devices = nlohmann::json::array();
      for (std::size_t i = 0; i < fits.fits.size(); ++i) {
        devices.push_back({{"device", fits.fits[i].device},
                           {"all", ModelJson(fits.fits[i].model)},
                           {"all_spearman", fits.fits[i].spearman},
                           {"all_r2", fits.fits[i].r2},
                           {"live", ModelJson(fits.live_fits[i].model)},
                           {"live_spearman", fits.live_fits[i].spearman},
                           {"live_r2", fits.live_fits[i].r2}});
      }
      nlohmann::json dist = {{"fixed", {fits.distribution.fixed().mean, fits.distribution.fixed().stddev}}};
      for (int op = 1; op < kNumOps; ++op) {
        const GaussianParam& g = fits.distribution.op(static_cast<Op>(op));
        dist[std::string(OpName(static_cast<Op>(op)))] = {g.mean, g.stddev};
      }
      PrintJson({{"devices", devices}, {"paper_distribution", dist}});
      return;
    }
    for (const bool live : {false, true}) {
      const auto& list = live ? fits.live_fits : fits.fits;
      fmt::print("{} (latency = fixed + sum of op costs; ms; rho = Spearman with the real table):\n",
                 live ? "Live edges only (dead-code elimination)" : "Every edge counted (paper)");
      PrintHeader();
      std::vector<double> rhos;
      for (const OpModelFit& f : list) {
        PrintModelRow(f.device, f.model, f.spearman, f.r2);
        rhos.push_back(f.spearman);
      }
      fmt::print("  mean rho {:.3f}, min rho {:.3f}\n\n", Mean(rhos), *std::min_element(rhos.begin(), rhos.end()));
    }
    fmt::print("Paper distribution (independent Gaussians, mean +- std over {} train devices, truncated > 0):\n",
               fits.distribution.num_devices());
    fmt::print("  fixed {:.3f} +- {:.3f}", fits.distribution.fixed().mean, fits.distribution.fixed().stddev);
    for (int op = 1; op < kNumOps; ++op) {
      const GaussianParam& g = fits.distribution.op(static_cast<Op>(op));
      fmt::print(", {} {:.3f} +- {:.3f}", OpName(static_cast<Op>(op)), g.mean, g.stddev);
    }
    fmt::print("\n");
  });

  struct SampleArgs {
    std::uint64_t seed = 0;
    int count = 5;
    std::string options = "default";
    std::string plot;
    std::string dataset = "cifar100";
    ProxyArgs proxy;
    bool json = false;
    FbnetSyntheticOptions fbnet;
  };
  auto args = std::make_shared<SampleArgs>();
  auto* sample = synth->add_subcommand("sample", "Sample synthetic devices (as synthetic:SEED,OPTIONS would)");
  AddSeedOption(sample, args->seed, "First seed (devices use seeds seed, seed+1, ...)");
  sample->add_option("--count", args->count, "How many devices")->check(CLI::Range(1, 1000));
  sample->add_option("--options", args->options,
                     "Synthetic options: paper | default | sampler=gaussian|lognormal|mixture,live=P,scale=S,"
                     "op_noise=S,noise=S,mix_sigma=S");
  sample->add_option("--plot", args->plot, "Draw the proxy-vs-latency cloud of (up to 6 of) the devices to this PNG");
  AddDatasetOption(sample, args->dataset, "Dataset of the proxy table for --plot");
  AddProxyOptions(sample, args->proxy, "Proxy table CSV (default: tables/proxies/<dataset>.csv)", "");
  sample->add_flag("--json", args->json, "Print JSON");
  auto* alpha = sample->add_option("--alpha", args->fbnet.alpha, "--space fbnet: Dirichlet concentration of the mixture")
                    ->check(CLI::PositiveNumber);
  auto* stage = sample->add_option("--stage-sigma", args->fbnet.stage_sigma,
                                   "--space fbnet: log-normal scale of each stage's entries")
                    ->check(CLI::NonNegativeNumber);
  auto* block = sample->add_option("--block-sigma", args->fbnet.block_sigma,
                                   "--space fbnet: log-normal scale of each block's entries (all layers)")
                    ->check(CLI::NonNegativeNumber);
  auto* entry = sample->add_option("--entry-sigma", args->fbnet.entry_sigma,
                                   "--space fbnet: log-normal noise of every entry")
                    ->check(CLI::NonNegativeNumber);
  auto* options_opt = sample->get_option("--options");
  auto* plot_opt = sample->get_option("--plot");
  sample->callback([&ctx, args, alpha, stage, block, entry, options_opt, plot_opt] {
    if (&ctx.space() == &FbnetSpace()) {
      if (options_opt->count() > 0 || plot_opt->count() > 0) {
        throw ParseError("synth sample --options and --plot are NAS-Bench-201 only; under --space fbnet use "
                         "--alpha, --stage-sigma, --block-sigma, --entry-sigma");
      }
      return FbnetSample(ctx, args->seed, args->count, args->fbnet, args->json);
    }
    if (alpha->count() > 0 || stage->count() > 0 || block->count() > 0 || entry->count() > 0) {
      throw ParseError("synth sample --alpha, --stage-sigma, --block-sigma and --entry-sigma are for --space fbnet only");
    }
    const SyntheticOptions options = SyntheticOptions::Parse(args->options);
    BenchmarkData& data = ctx.Data();
    const TrainDeviceFits fits = FitTrainDevices(data);
    std::vector<SyntheticDeviceModel> devices;
    for (int i = 0; i < args->count; ++i) {
      std::mt19937_64 rng(args->seed + static_cast<std::uint64_t>(i));
      devices.push_back(fits.distribution.SampleDevice(rng, options));
    }
    if (args->json) {
      nlohmann::json list = nlohmann::json::array();
      for (int i = 0; i < args->count; ++i) {
        list.push_back({{"spec", fmt::format("synthetic:{},{}", args->seed + static_cast<std::uint64_t>(i),
                                             options.ToString())},
                        {"model", DeviceJson(devices[static_cast<std::size_t>(i)])}});
      }
      PrintJson({{"options", options.ToString()}, {"devices", list}});
    } else {
      fmt::print("options {}\n", options.ToString());
      fmt::print("  {:<14} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>5}  {:>9} {:>9}\n", "seed", "fixed", "skip", "conv1x1",
                 "conv3x3", "avgpool", "live", "p10 ms", "p90 ms");
      std::vector<float> lat;
      for (int i = 0; i < args->count; ++i) {
        const SyntheticDeviceModel& d = devices[static_cast<std::size_t>(i)];
        const OpLatencyModel m = d.MeanOpModel();
        d.AllLatencies(lat);
        const std::vector<double> v(lat.begin(), lat.end());
        fmt::print("  {:<14} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}  {:>5}  {:>9.3f} {:>9.3f}\n",
                   args->seed + static_cast<std::uint64_t>(i), m.fixed_ms, m.op_ms[1], m.op_ms[2], m.op_ms[3],
                   m.op_ms[4], d.live_only ? "yes" : "no", Percentile(v, 10), Percentile(v, 90));
      }
    }
    if (!args->plot.empty()) {
      const Dataset dataset = ParseDataset(args->dataset);
      const ProxyTable table = LoadProxyTable(ctx.ProxyTable(args->proxy.proxy_table, dataset), dataset);
      const ProxyScores proxy(table, ParseProxyAggregateOrDefault("", ctx.Env().configs_dir));
      const SearchSpace& space = data.space();
      const std::filesystem::path png(args->plot);
      const std::filesystem::path dat = std::filesystem::path(png).replace_extension(".dat");
      const int shown = std::min(args->count, 6);
      std::string text = "# one block per device: latency_ms proxy_normalized (cells in NATS-Bench index order)\n";
      std::vector<float> lat;
      for (int i = 0; i < shown; ++i) {
        devices[static_cast<std::size_t>(i)].AllLatencies(lat);
        text += fmt::format("# device {}\n", args->seed + static_cast<std::uint64_t>(i));
        for (int index = 0; index < kNumCells; ++index) {
          text += fmt::format("{:.5g} {:.5f}\n", lat[static_cast<std::size_t>(space.CellAt(index).Code())],
                              proxy.Normalized(index));
        }
        text += "\n\n";
      }
      WriteFileAtomically(dat, text);
      const int cols = shown <= 3 ? shown : 3;
      const int rows = (shown + cols - 1) / cols;
      std::string script = fmt::format("set multiplot layout {},{} title {}\n", rows, cols,
                                       GnuplotQuote(fmt::format("Synthetic devices ({}): proxy vs latency, {}",
                                                                options.ToString(), DatasetName(dataset))));
      for (int i = 0; i < shown; ++i) {
        script += fmt::format(
            "set title 'synthetic:{}'\nset xlabel 'latency (ms)'\nset ylabel 'p_FreeREA (normalized)'\n"
            "unset key\nplot {} index {} using 1:2 with dots lc rgb '#1f77b4'\n",
            args->seed + static_cast<std::uint64_t>(i), GnuplotQuote(dat.string()), i);
      }
      script += "unset multiplot\n";
      RenderGnuplot(script, png, 400 * cols, 330 * rows);
      fmt::print(stderr, "wrote {} (data {})\n", png.string(), dat.string());
    }
  });
}

}  // namespace simnas::cli
