// simnas synth: inspect the synthetic devices the controller is trained on.
//   synth fit      the op lookup table fitted to every train device, with its Spearman rho and
//                  R^2 against the real table (every edge counted, and live edges only), and
//                  the distribution fitted over them.
//   synth sample   sampled devices (--options as in synthetic:SEED,OPTIONS); --plot draws the
//                  proxy-vs-latency cloud of a few of them (paper Fig. 2).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/proxies/proxy_table.h"
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

}  // namespace

void AddSynthCommand(CLI::App& app, CliContext& ctx) {
  auto* synth = app.add_subcommand("synth", "Synthetic devices: per-device op-table fits, samples, plots");
  synth->require_subcommand(1);

  auto* fit = synth->add_subcommand("fit", "Fit the op lookup table of every train device; report rho and R^2");
  auto fit_json = std::make_shared<bool>(false);
  fit->add_flag("--json", *fit_json, "Print JSON");
  fit->callback([&ctx, fit_json] {
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
  sample->callback([&ctx, args] {
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
      const ProxyScores proxy(table, ProxyAggregate::kFreeRea);
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
