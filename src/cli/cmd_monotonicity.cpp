// simnas monotonicity: the SRCC matrix between devices (One Proxy Device, Sec. 4, Fig. 4),
// a heatmap of it, the SRCC estimated from k sampled architectures (Fig. 11b/c), and
// `simnas monotonicity adaproxy`: the SRCC before and after adapting the proxy device's
// latency model to a target from k measured architectures (Eq. 3, Fig. 24). The same in every
// space: over the numbered architectures of --space, its device tables and its train/test split.
#include <algorithm>
#include <climits>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/core/error.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/latency_model/linear.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/monotonicity/heatmap.h"
#include "simnas/monotonicity/srcc.h"
#include "simnas/probe/measure_all.h"
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

// The default proxy device: among the space's train tables present, the best mean SRCC to the
// other train tables (over all numbered architectures). Empty when there is none.
std::string DefaultProxyName(const SpaceData& data) {
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
    std::string encoding;
    std::uint64_t seed = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--proxy", args->proxy,
                  "Proxy device table (default: the train device with the best mean SRCC to the others)");
  cmd->add_option("--targets", args->targets, "Target device tables, comma-separated (default: the test devices)");
  cmd->add_option("--samples", args->samples, "Target architectures measured for the adaptation, comma-separated");
  cmd->add_option("--repeats", args->repeats, "Random sample sets per sample size")->check(CLI::Range(1, 100000));
  std::vector<std::string> encodings;
  for (const Space* space : Spaces()) {
    encodings.push_back(fmt::format("{}: {}", space->name(), fmt::join(space->EncodingNames(), ", ")));
  }
  cmd->add_option("--encoding", args->encoding,
                  fmt::format("Encoding of the linear model, one of --space's (default: its first; {})",
                              fmt::join(encodings, "; ")));
  cmd->add_option("--seed", args->seed, "Seed");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &ctx] {
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    const CandidateSet& numbering = data.Numbering();
    const std::string encoding = args->encoding.empty() ? space.EncodingNames().front() : args->encoding;
    const std::string what = std::string(space.arch_noun()) + "s";
    Eigen::MatrixXd x;
    try {
      x = EncodeCandidates(numbering, encoding);
    } catch (const ParseError& e) {
      throw ParseError(fmt::format("--encoding: {}", e.what()));
    }
    // A table's own linear model.
    const auto fit = [&numbering, &encoding](const LatencyTable& t) {
      return FitLinearLatencyModel(t, numbering, encoding).w;
    };
    const std::string proxy_name = args->proxy.empty() ? DefaultProxyName(data) : args->proxy;
    if (proxy_name.empty()) throw DataError("no train device table to use as the proxy device");
    if (space.IsTestDevice(proxy_name)) {
      throw ParseError(fmt::format("proxy device {} is a test device; the proxy must be a train device",
                                   Quoted(proxy_name)));
    }
    const LatencyTable& proxy = data.DeviceTable(proxy_name);
    const Eigen::VectorXd w = fit(proxy);
    const std::vector<std::string> targets = args->targets.empty() ? data.AllTestDevices() : SplitList(args->targets);
    const std::vector<int> samples = ParseIntList(args->samples, "--samples", 1, static_cast<int>(x.rows()));
    nlohmann::json rows = nlohmann::json::array();
    if (!args->json) {
      fmt::print("AdaProxy (Eq. 3, {} encoding) from proxy device {}: SRCC with the target over all {} {}\n",
                 encoding, proxy_name, x.rows(), what);
      fmt::print("  {:<16} {:>7} {:>7}", "target", "table", "before");
      for (int k : samples) fmt::print("  {:>15}", fmt::format("after k={}", k));
      fmt::print("  {:>9}\n", "own R²");
    }
    for (const std::string& target_name : targets) {
      // A device table, or a device of the space's own that answers the architectures it covers.
      std::unique_ptr<Device> own;
      const LatencyTable* target_table = nullptr;
      if (data.HasDeviceTable(target_name)) {
        target_table = &data.DeviceTable(target_name);
      } else {
        own = ctx.OpenDevice(DeviceSpec::TableOrSpec(target_name));
        target_table = own->ReplayedTable();
        if (target_table == nullptr || static_cast<int>(target_table->values().size()) != numbering.size()) {
          throw ParseError(fmt::format("--targets: {} is neither a device table nor a device answering from a table "
                                       "of the {} {}",
                                       Quoted(target_name), numbering.size(), what));
        }
      }
      // The architectures the target answers (all, for a complete table).
      const std::vector<int> rows_known = target_table->KnownIndices();
      const bool whole = static_cast<int>(rows_known.size()) == numbering.size();
      const CandidateSet answered =
          whole ? numbering : numbering.Subset(rows_known, fmt::format("the {} {} answers", rows_known.size(), target_name));
      const LatencyTable target = whole ? *target_table : LatencyTable(target_name, answered.Gather(target_table->values()));
      Eigen::MatrixXd x_target;
      std::vector<double> proxy_target;
      if (!whole) {
        x_target.resize(static_cast<Eigen::Index>(rows_known.size()), x.cols());
        for (std::size_t r = 0; r < rows_known.size(); ++r) {
          x_target.row(static_cast<Eigen::Index>(r)) = x.row(rows_known[r]);
        }
        proxy_target = answered.Gather(proxy.values());
      }
      const Eigen::MatrixXd& xt = whole ? x : x_target;
      const std::vector<double>& pt = whole ? proxy.values() : proxy_target;
      nlohmann::json after = nlohmann::json::array();
      std::string line;
      double table_srcc = 0, before = 0;
      for (int k : samples) {
        if (k > xt.rows()) {
          throw ParseError(fmt::format("--samples: {} {} to sample, but {} answers {}", k, what, target_name, xt.rows()));
        }
        const AdaProxyTransfer t = EvaluateAdaProxyTransfer(xt, w, pt, target.values(), k, args->repeats, args->seed);
        table_srcc = t.srcc_proxy_table;
        before = t.srcc_before;
        after.push_back({{"samples", k},
                         {"mean", t.srcc_after_mean},
                         {"std", t.srcc_after_std},
                         {"min", t.srcc_after_min},
                         {"repeats", t.repeats}});
        line += fmt::format("  {:>15}", fmt::format("{:.3f} ± {:.3f}", t.srcc_after_mean, t.srcc_after_std));
      }
      // How well the encoding can fit the target at all: R² of the target's own linear model.
      const Eigen::VectorXd own_fit = xt * FitLinearLatencyModel(target, answered, encoding).w;
      const double r2 =
          RSquared(std::span<const double>(own_fit.data(), static_cast<std::size_t>(own_fit.size())), target.values());
      rows.push_back({{"target", target_name},
                      {"candidates", xt.rows()},
                      {"split", space.IsTestDevice(target_name) ? "test" : "train"},
                      {"srcc_proxy_table", table_srcc},
                      {"srcc_before", before},
                      {"own_linear_r2", r2},
                      {"after", after}});
      if (!args->json) {
        fmt::print("  {:<16} {:>7.3f} {:>7.3f}{}  {:>9.3f}{}\n", target_name, table_srcc, before, line, r2,
                   whole ? "" : fmt::format("  (over the {} of the {} {} it answers)", xt.rows(), x.rows(), what));
      }
    }
    if (args->json) {
      PrintJson({{"space", std::string(space.name())},
                 {"proxy", proxy_name},
                 {"encoding", encoding},
                 {"repeats", args->repeats},
                 {"seed", args->seed},
                 {"targets", rows}});
    } else {
      fmt::print("  table: the proxy's own table; before: its linear model L(x) = wᵀx; after: AdaProxy from k random\n"
                 "  target {} (mean ± std over {} sample sets, seed {}); own R²: the target's own linear model\n"
                 "  fitted to its whole table (the best any adapted model of this encoding can do).\n",
                 what, args->repeats, args->seed);
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
                  "Devices, comma-separated: table names or device specs (default: every benchmark table of --space)");
  cmd->add_option("--sample", args->sample,
                  "Use K random architectures of --space's numbering instead of all (needed for live devices; same "
                  "architectures and run id as `simnas measure-all --sample K --seed S`, so measurements are shared "
                  "through the probe store)")
      ->check(CLI::Range(3, INT_MAX));
  cmd->add_option("--seed", args->seed, "Seed of the sample and of the estimates");
  cmd->add_option("--heatmap", args->heatmap, "Draw the matrix into this PNG (gnuplot)");
  cmd->add_option("--estimate-from", args->estimate_from,
                  "Estimate the SRCC of this device to every other from k sampled architectures (default: the default "
                  "proxy device when it is in the list, else the first device)");
  cmd->add_option("--estimate-k", args->estimate_k, "Sample sizes of the estimates, comma-separated");
  cmd->add_option("--repeats", args->repeats, "Random samples per estimate")->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", args->json, "Print JSON");
  AddAdaProxyCommand(*cmd, ctx);
  cmd->callback([args, cmd, &ctx] {
    if (cmd->get_subcommands().size() > 0) return;  // `monotonicity adaproxy` ran instead
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    const CandidateSet& numbering = data.Numbering();
    const std::string what = std::string(space.arch_noun()) + "s";
    const int population = numbering.size();
    // A bare name is a benchmark table; anything else a device spec.
    std::vector<DeviceSpec> specs;
    for (const std::string& d : args->devices.empty() ? data.AllDeviceNames() : SplitList(args->devices)) {
      specs.push_back(DeviceSpec::TableOrSpec(d));
    }
    std::vector<std::string> names;
    std::vector<std::vector<double>> latencies;
    for (const DeviceSpec& spec : specs) {
      std::unique_ptr<Device> device = ctx.OpenDevice(spec);
      // All the numbered architectures, or the sample (and run id) of `simnas measure-all --sample K --seed S`.
      MeasureAllRequest request;
      request.device_spec = spec.ToString();
      request.sample = args->sample;
      request.seed = args->seed;
      const MeasureAllJob job = MakeMeasureAllJob(*device, numbering, request);
      std::vector<double> v;
      v.reserve(job.indices.size());
      if (device->IsLive()) {
        if (!args->sample) {
          throw ParseError(
              fmt::format("device {} is measured live: give --sample K (e.g. --sample 100)", spec.ToString()));
        }
        ProbeSession session(*device, numbering, static_cast<int>(job.indices.size()), &ctx.Store(), job.run_id);
        for (int i : job.indices) v.push_back(session.Probe(numbering.at(i)).measurement.latency_ms);
      } else if (const LatencyTable* table = device->FullTable()) {
        for (int i : job.indices) v.push_back(table->At(numbering.NumberOf(i)));
      } else if (const LatencyTable* part = device->ReplayedTable();
                 part != nullptr && static_cast<int>(part->values().size()) == numbering.size()) {
        // A device that answers some of the architectures: NaN where it does not (each pair's
        // SRCC is over the architectures both answer).
        for (int i : job.indices) v.push_back(part->values()[static_cast<std::size_t>(numbering.NumberOf(i))]);
      } else {
        for (int i : job.indices) v.push_back(device->Measure(numbering.at(i)).latency_ms);
      }
      names.push_back(spec.ShortName());
      latencies.push_back(std::move(v));
    }
    const std::string default_proxy = DefaultProxyName(data);
    if (names.size() < 2) throw ParseError("simnas monotonicity needs at least two devices");
    const SrccMatrix m = ComputeSrccMatrix(names, latencies);

    // Estimates from k sampled architectures, from one device to every other.
    std::string from = args->estimate_from;
    if (from.empty()) {
      from = std::find(names.begin(), names.end(), default_proxy) != names.end() ? default_proxy : names.front();
    }
    const auto from_it = std::find(names.begin(), names.end(), DeviceSpec::TableOrSpec(from).ShortName());
    if (from_it == names.end()) throw ParseError(fmt::format("--estimate-from {} is not among --devices", Quoted(from)));
    const auto f = static_cast<std::size_t>(from_it - names.begin());
    std::vector<int> ks;
    int fewest_pair = m.total;  // the fewest architectures behind a pair of the estimated device
    for (std::size_t j = 0; j < names.size(); ++j) fewest_pair = std::min(fewest_pair, m.pair_cells[f][j]);
    for (int k : ParseIntList(args->estimate_k, "--estimate-k", 3, population)) {
      if (k <= fewest_pair) ks.push_back(k);
    }
    nlohmann::json estimates = nlohmann::json::array();
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (j == f) continue;
      nlohmann::json per_k = nlohmann::json::array();
      for (int k : ks) {
        const auto [a, b] = BothAnswered(latencies[f], latencies[j]);
        const SrccEstimate e = EstimateSrccFromSample(a, b, k, args->repeats,
                                                      args->seed + static_cast<std::uint64_t>(1000 * j + static_cast<std::size_t>(k)));
        per_k.push_back({{"k", k}, {"mean", e.mean}, {"std", e.stddev}});
      }
      estimates.push_back({{"from", names[f]},
                           {"to", names[j]},
                           {"srcc", m.At(f, j)},
                           {"cells", m.pair_cells[f][j]},
                           {"estimates", per_k}});
    }
    // Devices that answer only some of the architectures, for the output's notes.
    std::vector<std::string> partial;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (m.answered[i] < m.total) partial.push_back(fmt::format("{} answers {}", names[i], m.answered[i]));
    }
    if (!args->heatmap.empty()) {
      DrawSrccHeatmap(m, args->heatmap,
                      m.complete() ? fmt::format("Latency monotonicity: SRCC over {} {} {}", m.cells, space.name(), what)
                                   : fmt::format("Latency monotonicity: SRCC per pair over the {} {} both answer ({} of {})",
                                                 space.name(), what, fmt::join(partial, ", "), m.total));
    }

    if (args->json) {
      nlohmann::json mean = nlohmann::json::object();
      for (std::size_t i = 0; i < names.size(); ++i) mean[names[i]] = m.MeanToOthers(i);
      PrintJson({{"devices", names},
                 {"cells", m.cells},
                 {"total", m.total},
                 {"answered", m.answered},
                 {"pair_cells", m.pair_cells},
                 {"sample", args->sample ? nlohmann::json(*args->sample) : nlohmann::json()},
                 {"seed", args->seed},
                 {"srcc", m.srcc},
                 {"mean_to_others", mean},
                 {"default_proxy_device", default_proxy},
                 {"space", std::string(space.name())},
                 {"estimates", estimates},
                 {"heatmap", args->heatmap}});
      return;
    }
    if (m.complete()) {
      fmt::print("SRCC between devices over {} {}{}\n", m.cells, what, args->sample ? " (random sample)" : "");
    } else {
      fmt::print("SRCC between devices, each pair over the {} both answer, of {} {}{} ({}; {} answered by every "
                 "device)\n",
                 what, m.total, what, args->sample ? " (random sample)" : "", fmt::join(partial, ", "), m.cells);
    }
    std::size_t width = 6;
    for (const auto& n : names) width = std::max(width, n.size());
    fmt::print("{:<{}}", "", width + 2);
    for (std::size_t j = 0; j < names.size(); ++j) fmt::print(" {:>5}", j + 1);
    fmt::print("   mean\n");
    for (std::size_t i = 0; i < names.size(); ++i) {
      fmt::print("{:>2} {:<{}}", i + 1, names[i], width);
      for (std::size_t j = 0; j < names.size(); ++j) fmt::print(" {:>5.2f}", m.At(i, j));
      fmt::print("  {:>5.3f}{}\n", m.MeanToOthers(i), space.IsTestDevice(names[i]) ? "  (test)" : "");
    }
    fmt::print("default proxy device (best mean SRCC among the train devices): {}\n", default_proxy);
    if (!ks.empty()) {
      fmt::print("\nSRCC estimated from k random {}, {} -> each device (mean ± std over {} samples):\n", what,
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
