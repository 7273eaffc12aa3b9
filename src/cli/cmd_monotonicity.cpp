// simnas monotonicity: the SRCC matrix between devices (One Proxy Device, Sec. 4, Fig. 4),
// a heatmap of it, the SRCC estimated from k sampled cells (Fig. 11b/c), and
// `simnas monotonicity adaproxy`: the SRCC before and after adapting the proxy device's
// latency model to a target from k measured cells (Eq. 3, Fig. 24).
#include <algorithm>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/data/device_split.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/monotonicity/heatmap.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/probe/probe_session.h"

namespace simnas::cli {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& s : Split(text, ',')) {
    const std::string_view t = Trim(s);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

std::vector<int> ParseIntList(const std::string& text, const char* what, int lo, int hi) {
  std::vector<int> out;
  for (const std::string& s : SplitList(text)) {
    const auto v = ParseInt(s);
    if (!v || *v < lo || *v > hi) {
      throw ParseError(fmt::format("{}: {} is not an integer in [{}, {}]", what, Quoted(s), lo, hi));
    }
    out.push_back(static_cast<int>(*v));
  }
  if (out.empty()) throw ParseError(fmt::format("{}: empty list", what));
  return out;
}

// The default proxy device: among the benchmark train tables present, the best mean SRCC to
// the other train tables (over all cells). Empty when there is none.
std::string DefaultProxyName(const BenchmarkData& data) {
  std::vector<const LatencyTable*> tables;
  for (const std::string& name : data.TrainDevices()) tables.push_back(&data.DeviceTable(name));
  if (tables.empty()) return "";
  if (tables.size() == 1) return tables.front()->name();
  return tables[ChooseProxyDevice(tables)]->name();
}

void AddAdaProxyCommand(CLI::App& parent, CliContext& ctx) {
  auto* cmd = parent.add_subcommand(
      "adaproxy", "SRCC with each target before and after adapting the proxy device's linear latency model (Eq. 3)");
  struct Args {
    std::string proxy;
    std::string targets;
    std::string samples = "10,20,30";
    int repeats = 100;
    std::string encoding = "op-counts";
    std::uint64_t seed = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--proxy", args->proxy,
                  "Proxy device table (default: the train device with the best mean SRCC to the others)");
  cmd->add_option("--targets", args->targets, "Target device tables, comma-separated (default: the test devices)");
  cmd->add_option("--samples", args->samples, "Target cells measured for the adaptation, comma-separated");
  cmd->add_option("--repeats", args->repeats, "Random sample sets per sample size")->check(CLI::Range(1, 100000));
  cmd->add_option("--encoding", args->encoding, "Cell encoding of the linear model: op-counts (default) or edge-onehot");
  AddSeedOption(cmd, args->seed, "Seed");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    BenchmarkData& data = ctx.Data();
    const CellEncoding encoding = ParseCellEncoding(args->encoding);
    const std::string proxy_name = args->proxy.empty() ? DefaultProxyName(data) : args->proxy;
    if (proxy_name.empty()) throw DataError("no train device table to use as the proxy device");
    if (IsTestDevice(proxy_name)) {
      throw ParseError(fmt::format("proxy device {} is a test device; the proxy must be a train device",
                                   Quoted(proxy_name)));
    }
    const LatencyTable& proxy = data.DeviceTable(proxy_name);
    const std::vector<std::string> targets = args->targets.empty() ? data.TestDevices() : SplitList(args->targets);
    const std::vector<int> samples = ParseIntList(args->samples, "--samples", 1, kNumCells);
    nlohmann::json rows = nlohmann::json::array();
    if (!args->json) {
      fmt::print("AdaProxy (Eq. 3, {} encoding) from proxy device {}: SRCC with the target over all {} cells\n",
                 EncodingName(encoding), proxy_name, kNumCells);
      fmt::print("  {:<16} {:>7} {:>7}", "target", "table", "before");
      for (int k : samples) fmt::print("  {:>15}", fmt::format("after k={}", k));
      fmt::print("\n");
    }
    for (const std::string& target_name : targets) {
      const LatencyTable& target = data.DeviceTable(target_name);
      nlohmann::json after = nlohmann::json::array();
      std::string line;
      double table_srcc = 0, before = 0;
      for (int k : samples) {
        const AdaProxyTransfer t = EvaluateAdaProxyTransfer(proxy, target, data.space(), encoding, k, args->repeats,
                                                            args->seed);
        table_srcc = t.srcc_proxy_table;
        before = t.srcc_before;
        after.push_back({{"samples", k},
                         {"mean", t.srcc_after_mean},
                         {"std", t.srcc_after_std},
                         {"min", t.srcc_after_min},
                         {"repeats", t.repeats}});
        line += fmt::format("  {:>15}", fmt::format("{:.3f} ± {:.3f}", t.srcc_after_mean, t.srcc_after_std));
      }
      rows.push_back({{"target", target_name},
                      {"split", IsTestDevice(target_name) ? "test" : "train"},
                      {"srcc_proxy_table", table_srcc},
                      {"srcc_before", before},
                      {"after", after}});
      if (!args->json) fmt::print("  {:<16} {:>7.3f} {:>7.3f}{}\n", target_name, table_srcc, before, line);
    }
    if (args->json) {
      PrintJson({{"proxy", proxy_name},
                 {"encoding", std::string(EncodingName(encoding))},
                 {"repeats", args->repeats},
                 {"seed", args->seed},
                 {"targets", rows}});
    } else {
      fmt::print("  table: the proxy's own table; before: its linear model L(x) = wᵀx; after: AdaProxy from k random\n"
                 "  target cells (mean ± std over {} sample sets, seed {}).\n",
                 args->repeats, args->seed);
    }
  });
}

}  // namespace

void AddMonotonicityCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("monotonicity",
                                 "Latency monotonicity: SRCC matrix between devices, heatmap, SRCC from k samples");
  struct Args {
    std::string devices;
    std::optional<int> sample;
    std::uint64_t seed = 0;
    std::string heatmap;
    std::string estimate_from;
    std::string estimate_k = "5,10,20,30,50";
    int repeats = 1000;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--devices", args->devices,
                  "Devices, comma-separated: table names or device specs (default: every benchmark table)");
  cmd->add_option("--sample", args->sample,
                  "Use K random cells instead of all (needed for live devices; same cells and run id as "
                  "`simnas measure-all --sample K --seed S`, so measurements are shared through the probe store)")
      ->check(CLI::Range(3, kNumCells));
  AddSeedOption(cmd, args->seed, "Seed of the sample and of the estimates");
  cmd->add_option("--heatmap", args->heatmap, "Draw the matrix into this PNG (gnuplot)");
  cmd->add_option("--estimate-from", args->estimate_from,
                  "Estimate the SRCC of this device to every other from k sampled cells (default: the default "
                  "proxy device when it is in the list, else the first device)");
  cmd->add_option("--estimate-k", args->estimate_k, "Sample sizes of the estimates, comma-separated");
  cmd->add_option("--repeats", args->repeats, "Random samples per estimate")->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", args->json, "Print JSON");
  AddAdaProxyCommand(*cmd, ctx);
  cmd->callback([args, cmd, &ctx] {
    if (cmd->get_subcommands().size() > 0) return;  // `monotonicity adaproxy` ran instead
    BenchmarkData& data = ctx.Data();
    const SearchSpace& space = data.space();
    // A bare name is a benchmark table; anything else a device spec.
    std::vector<DeviceSpec> specs;
    for (const std::string& d : args->devices.empty() ? data.DeviceNames() : SplitList(args->devices)) {
      specs.push_back(DeviceSpec::TableOrSpec(d));
    }
    if (specs.size() < 2) throw ParseError("simnas monotonicity needs at least two devices");
    // The cells: all, or the sample `simnas measure-all --sample K --seed S` measures.
    std::vector<int> indices(kNumCells);
    std::iota(indices.begin(), indices.end(), 0);
    if (args->sample) {
      std::mt19937_64 rng(args->seed);
      std::shuffle(indices.begin(), indices.end(), rng);
      indices.resize(static_cast<std::size_t>(*args->sample));
    }
    const std::string run_id = fmt::format("measure-all:sample={}:seed={}", args->sample.value_or(kNumCells), args->seed);
    std::vector<std::string> names;
    std::vector<std::vector<double>> latencies;
    for (const DeviceSpec& spec : specs) {
      std::unique_ptr<Device> device = ctx.OpenDevice(spec);
      std::vector<double> v;
      v.reserve(indices.size());
      if (device->IsLive()) {
        if (!args->sample) {
          throw ParseError(
              fmt::format("device {} is measured live: give --sample K (e.g. --sample 100)", spec.ToString()));
        }
        ProbeSession session(*device, space, static_cast<int>(indices.size()), &ctx.Store(), run_id);
        for (int index : indices) v.push_back(session.Probe(space.CellAt(index)).measurement.latency_ms);
      } else if (const LatencyTable* table = device->FullTable()) {
        for (int index : indices) v.push_back(table->At(index));
      } else {
        for (int index : indices) v.push_back(device->Measure(space.CellAt(index)).latency_ms);
      }
      names.push_back(spec.ShortName());
      latencies.push_back(std::move(v));
    }
    const SrccMatrix m = ComputeSrccMatrix(names, latencies);

    // Estimates from k sampled cells, from one device to every other.
    std::string from = args->estimate_from;
    if (from.empty()) {
      const std::string proxy = DefaultProxyName(data);
      from = std::find(names.begin(), names.end(), proxy) != names.end() ? proxy : names.front();
    }
    const auto from_it = std::find(names.begin(), names.end(), DeviceSpec::TableOrSpec(from).ShortName());
    if (from_it == names.end()) throw ParseError(fmt::format("--estimate-from {} is not among --devices", Quoted(from)));
    const auto f = static_cast<std::size_t>(from_it - names.begin());
    std::vector<int> ks;
    for (int k : ParseIntList(args->estimate_k, "--estimate-k", 3, kNumCells)) {
      if (k <= m.cells) ks.push_back(k);
    }
    nlohmann::json estimates = nlohmann::json::array();
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (j == f) continue;
      nlohmann::json per_k = nlohmann::json::array();
      for (int k : ks) {
        const SrccEstimate e = EstimateSrccFromSample(latencies[f], latencies[j], k, args->repeats,
                                                      args->seed + static_cast<std::uint64_t>(1000 * j + static_cast<std::size_t>(k)));
        per_k.push_back({{"k", k}, {"mean", e.mean}, {"std", e.stddev}});
      }
      estimates.push_back({{"from", names[f]}, {"to", names[j]}, {"srcc", m.At(f, j)}, {"estimates", per_k}});
    }
    if (!args->heatmap.empty()) {
      DrawSrccHeatmap(m, args->heatmap,
                      fmt::format("Latency monotonicity: SRCC over {} NATS-Bench cells", m.cells));
    }

    if (args->json) {
      nlohmann::json mean = nlohmann::json::object();
      for (std::size_t i = 0; i < names.size(); ++i) mean[names[i]] = m.MeanToOthers(i);
      PrintJson({{"devices", names},
                 {"cells", m.cells},
                 {"sample", args->sample ? nlohmann::json(*args->sample) : nlohmann::json()},
                 {"seed", args->seed},
                 {"srcc", m.srcc},
                 {"mean_to_others", mean},
                 {"default_proxy_device", DefaultProxyName(data)},
                 {"estimates", estimates},
                 {"heatmap", args->heatmap}});
      return;
    }
    fmt::print("SRCC between devices over {} cells{}\n", m.cells, args->sample ? " (random sample)" : "");
    std::size_t width = 6;
    for (const auto& n : names) width = std::max(width, n.size());
    fmt::print("{:<{}}", "", width + 2);
    for (std::size_t j = 0; j < names.size(); ++j) fmt::print(" {:>5}", j + 1);
    fmt::print("   mean\n");
    for (std::size_t i = 0; i < names.size(); ++i) {
      fmt::print("{:>2} {:<{}}", i + 1, names[i], width);
      for (std::size_t j = 0; j < names.size(); ++j) fmt::print(" {:>5.2f}", m.At(i, j));
      fmt::print("  {:>5.3f}{}\n", m.MeanToOthers(i), IsTestDevice(names[i]) ? "  (test)" : "");
    }
    fmt::print("default proxy device (best mean SRCC among the train devices): {}\n", DefaultProxyName(data));
    if (!ks.empty()) {
      fmt::print("\nSRCC estimated from k random cells, {} -> each device (mean ± std over {} samples):\n",
                 names[f], args->repeats);
      fmt::print("  {:<16} {:>6}", "device", "all");
      for (int k : ks) fmt::print("  {:>13}", fmt::format("k={}", k));
      fmt::print("\n");
      for (const auto& e : estimates) {
        fmt::print("  {:<16} {:>6.3f}", e["to"].get<std::string>(), e["srcc"].get<double>());
        for (const auto& x : e["estimates"]) {
          fmt::print("  {:>13}", fmt::format("{:.3f} ± {:.3f}", x["mean"].get<double>(), x["std"].get<double>()));
        }
        fmt::print("\n");
      }
    }
    if (!args->heatmap.empty()) fmt::print("\nheatmap: {}\n", args->heatmap);
  });
}

}  // namespace simnas::cli
