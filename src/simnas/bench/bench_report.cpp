#include "simnas/bench/bench_report.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/bench/fbnet_bench.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/spaces/nb201/help_answers.h"
#include "simnas/devices/device_spec.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

std::string MeanStd(double mean, double sd) { return fmt::format("{:.2f} ± {:.2f}", mean, sd); }

std::vector<const RunRecord*> Select(const std::vector<RunRecord>& rows,
                                     const std::function<bool(const RunRecord&)>& keep) {
  std::vector<const RunRecord*> out;
  for (const RunRecord& r : rows) {
    if (keep(r)) out.push_back(&r);
  }
  return out;
}

int MainProbes(const BenchGroup& group) {
  return std::find(group.probes.begin(), group.probes.end(), 10) != group.probes.end() ? 10 : group.probes.front();
}

}  // namespace

std::vector<StrategySummary> Summarize(const std::vector<const RunRecord*>& rows) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> by;
  for (const RunRecord* r : rows) {
    const std::string& s = r->strategy;
    if (by.find(s) == by.end()) order.push_back(s);
    by[s].push_back(r);
  }
  std::vector<StrategySummary> out;
  for (const std::string& s : order) {
    StrategySummary sum;
    sum.strategy = s;
    std::vector<double> acc, regret, pct, probes, wall, reward;
    for (const RunRecord* r : by[s]) {
      ++sum.runs;
      if (r->error) ++sum.failed;
      if (r->found()) ++sum.found;
      probes.push_back(r->probes_used);  // 0 for a failed run
      wall.push_back(r->wall_s);
      if (!r->feasible || !r->answer) {  // a feasible run always has an answer
        ++sum.violations;
        continue;
      }
      acc.push_back(r->answer->accuracy);
      regret.push_back(r->answer->regret);
      pct.push_back(r->answer->latency_percentile);
      if (r->answer->reward) reward.push_back(*r->answer->reward);
    }
    sum.accuracy_mean = acc.empty() ? 0 : Mean(acc);
    sum.accuracy_std = StdDev(acc);
    sum.regret_mean = regret.empty() ? 0 : Mean(regret);
    sum.percentile_mean = pct.empty() ? 0 : Mean(pct);
    sum.probes_mean = probes.empty() ? 0 : Mean(probes);
    sum.wall_mean = wall.empty() ? 0 : Mean(wall);
    sum.reward_mean = reward.empty() ? 0 : Mean(reward);
    out.push_back(sum);
  }
  return out;
}

std::vector<StrategySummary> RankStrategies(std::vector<StrategySummary> summaries) {
  std::stable_sort(summaries.begin(), summaries.end(), [](const StrategySummary& a, const StrategySummary& b) {
    if (a.violations != b.violations) return a.violations < b.violations;
    return a.accuracy_mean > b.accuracy_mean;
  });
  return summaries;
}

namespace {

std::string SummaryTable(const std::vector<StrategySummary>& rows, bool unconstrained) {
  std::string md;
  if (unconstrained) {
    md += "| strategy | runs | reward (full-table scale) | accuracy | latency pct | probes | wall s |\n";
    md += "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const StrategySummary& s : rows) {
      md += fmt::format("| {} | {} | {:.3f} | {} | {:.2f} | {:.1f} | {:.3f} |\n", s.strategy, s.runs, s.reward_mean,
                        MeanStd(s.accuracy_mean, s.accuracy_std), s.percentile_mean, s.probes_mean, s.wall_mean);
    }
    return md;
  }
  md += "| strategy | runs | violations | accuracy (feasible answers) | regret to oracle | latency pct | probes | "
        "wall s |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const StrategySummary& s : rows) {
    // Without a feasible answer there is no accuracy to show (not a 0.00 that reads as measured).
    const bool none = s.violations == s.runs;
    md += fmt::format("| {} | {}{} | {} | {} | {} | {} | {:.1f} | {:.3f} |\n", s.strategy, s.runs,
                      s.failed > 0 ? fmt::format(" ({} failed)", s.failed) : "", s.violations,
                      none ? "–" : MeanStd(s.accuracy_mean, s.accuracy_std),
                      none ? "–" : fmt::format("{:.2f}", s.regret_mean),
                      none ? "–" : fmt::format("{:.2f}", s.percentile_mean), s.probes_mean, s.wall_mean);
  }
  return md;
}

// Mean oracle and proxy-oracle accuracy over the distinct tasks of `rows`.
std::pair<double, double> OracleMeans(const std::vector<const RunRecord*>& rows) {
  std::map<std::string, std::pair<double, double>> per_task;
  for (const RunRecord* r : rows) {
    const std::string task = fmt::format("{}|{}|{}", r->device, r->dataset, r->budget_label);
    per_task[task] = {r->oracle_accuracy, r->proxy_oracle_accuracy};
  }
  double a = 0, b = 0;
  for (const auto& [k, v] : per_task) {
    a += v.first;
    b += v.second;
  }
  const double n = per_task.empty() ? 1.0 : static_cast<double>(per_task.size());
  return {a / n, b / n};
}

// HELP + MetaD2A published answers scored on the benchmark tables.
std::string HelpPublishedSection(const BenchmarkData& data, double* mean_feasible_accuracy, int* violations) {
  std::vector<HelpAnswer> answers;
  try {
    answers = LoadHelpAnswers(data.dir());
  } catch (const DataError& e) {
    spdlog::warn("HELP answers unavailable: {}", e.what());
    return "";
  }
  const auto& acc = data.Accuracy(Dataset::kCifar100).test_accuracy;
  std::string md =
      "HELP + MetaD2A (10 target samples, meta-trained on other devices' measurements), as published in HELP's "
      "repository (`architecture_config/`), scored on the same benchmark tables:\n\n"
      "| device | budget ms | HELP's reported latency | latency on the table | within budget | CIFAR-100 accuracy |\n"
      "|---|---:|---:|---:|---|---:|\n";
  std::map<std::string, std::vector<const HelpAnswer*>> by_device;
  for (const HelpAnswer& a : answers) by_device[a.device].push_back(&a);
  std::vector<double> feasible_acc, all_acc;
  *violations = 0;
  for (const HelpTask& t : HelpTable4()) {
    auto& list = by_device[t.device];
    // HELP's three answers per device are matched to the three budgets in increasing order.
    std::vector<double> budgets;
    for (const HelpTask& u : HelpTable4()) {
      if (u.device == t.device) budgets.push_back(u.budget_ms);
    }
    const auto rank = static_cast<std::size_t>(std::find(budgets.begin(), budgets.end(), t.budget_ms) - budgets.begin());
    if (rank >= list.size()) continue;
    const HelpAnswer& a = *list[rank];
    const int index = data.space().IndexOf(a.cell);
    const double latency = data.DeviceTable(t.device).At(index);
    const bool ok = latency <= t.budget_ms;
    const double accuracy = acc[static_cast<std::size_t>(index)];
    all_acc.push_back(accuracy);
    if (ok) feasible_acc.push_back(accuracy);
    else ++*violations;
    md += fmt::format("| {} | {:g} | {:g} | {:.2f} | {} | {:.2f} |\n", t.device, t.budget_ms, a.reported_latency_ms,
                      latency, ok ? "yes" : "**no**", accuracy);
  }
  *mean_feasible_accuracy = feasible_acc.empty() ? 0 : Mean(feasible_acc);
  md += fmt::format("\n{} of {} HELP answers exceed their budget on the benchmark tables; mean CIFAR-100 accuracy "
                    "{:.2f} over all {} answers, {:.2f} over the {} feasible ones.\n",
                    *violations, all_acc.size(), all_acc.empty() ? 0.0 : Mean(all_acc), all_acc.size(),
                    *mean_feasible_accuracy, feasible_acc.size());
  return md;
}

void PlotAccuracyVsProbes(const std::vector<const RunRecord*>& rows, const fs::path& png) {
  std::map<std::string, std::map<int, std::vector<double>>> series;
  for (const RunRecord* r : rows) {
    if (!r->feasible || !r->answer) continue;
    series[r->strategy][r->probes].push_back(r->answer->accuracy);
  }
  if (series.empty()) return;
  std::string dat;
  std::string plot = "plot ";
  int block = 0;
  for (const auto& [strategy, by_probes] : series) {
    dat += fmt::format("# {}\n", strategy);
    for (const auto& [p, acc] : by_probes) dat += fmt::format("{} {:.4f} {:.4f}\n", p, Mean(acc), StdDev(acc));
    dat += "\n\n";
    plot += fmt::format("{}{} index {} using 1:2:3 with yerrorlines title {}", block ? ", " : "",
                        GnuplotQuote(fs::path(png).replace_extension(".dat").string()), block,
                        GnuplotQuote(strategy));
    ++block;
  }
  WriteFileAtomically(fs::path(png).replace_extension(".dat"), dat);
  RenderGnuplot("set logscale x 2\nset xlabel 'probes (distinct cells measured)'\nset ylabel 'CIFAR-100 test accuracy "
                "of feasible answers (%)'\nset key bottom right\nset grid\n" + plot,
                png);
}

// Per device: every cell's (latency, proxy), the proxy front, and each strategy's answers.
void PlotDeviceCloud(const BenchmarkData& data, const ProxyScores& proxy, const std::string& device,
                     const std::vector<const RunRecord*>& rows, const fs::path& png) {
  const LatencyTable& table = data.DeviceTable(device);
  std::string cloud;
  std::vector<std::pair<double, double>> points;
  for (int i = 0; i < kNumCells; ++i) {
    cloud += fmt::format("{:.5g} {:.5g}\n", table.At(i), proxy(i));
    points.emplace_back(table.At(i), proxy(i));
  }
  std::sort(points.begin(), points.end());
  std::string front;
  double best = -1e300;
  for (const auto& [ms, p] : points) {
    if (p > best) {
      best = p;
      front += fmt::format("{:.5g} {:.5g}\n", ms, p);
    }
  }
  std::map<std::string, std::string> answers;
  std::set<double> budgets;
  for (const RunRecord* r : rows) {
    if (!r->answer) continue;
    const int index = r->answer->index;
    answers[r->strategy] += fmt::format("{:.5g} {:.5g}\n", table.At(index), proxy(index));
    if (r->budget_ms) budgets.insert(*r->budget_ms);
  }
  // The cloud (every cell) is derived from the table and the proxy table; it is drawn from
  // a temporary file rather than kept next to the figure.
  const fs::path base = fs::path(png).replace_extension("");
  WriteFileAtomically(base.string() + "-cloud.dat", cloud);
  WriteFileAtomically(base.string() + "-front.dat", front);
  struct RemoveCloud {
    std::string path;
    ~RemoveCloud() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } remove_cloud{base.string() + "-cloud.dat"};
  std::string plot = fmt::format("plot {} using 1:2 with dots lc rgb '#bbbbbb' title 'all cells', {} using 1:2 with "
                                 "steps lw 2 lc rgb 'black' title 'proxy front'",
                                 GnuplotQuote(base.string() + "-cloud.dat"), GnuplotQuote(base.string() + "-front.dat"));
  int k = 0;
  for (const auto& [strategy, text] : answers) {
    const std::string file = fmt::format("{}-answers-{}.dat", base.string(), k++);
    WriteFileAtomically(file, text);
    plot += fmt::format(", {} using 1:2 with points pt {} ps 1.4 title {}", GnuplotQuote(file), 4 + k, GnuplotQuote(strategy));
  }
  std::string arrows;
  for (double b : budgets) arrows += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead dt 2\n", b);
  RenderGnuplot(fmt::format("set title {}\nset xlabel 'latency on the table (ms)'\nset ylabel 'proxy score'\nset key "
                            "bottom right\n{}{}",
                            GnuplotQuote(device + ": proxy/latency cloud, proxy front, answers (10 probes)"), arrows,
                            plot),
                png);
}

// Trajectories of each strategy on one task (seed 0): probed cells in probe order.
void PlotTrajectories(const BenchmarkData& data, const ProxyScores& proxy, const std::string& device,
                      const std::vector<const RunRecord*>& rows, const fs::path& png) {
  const LatencyTable& table = data.DeviceTable(device);
  const fs::path base = fs::path(png).replace_extension("");
  std::string plot = "plot ";
  int k = 0;
  double budget = 0;
  for (const RunRecord* r : rows) {
    if (r->error) continue;  // a failed run has no trajectory
    std::string text;
    for (const int i : r->trajectory) {
      text += fmt::format("{:.5g} {:.5g}\n", table.At(i), proxy(i));
    }
    const std::string file = fmt::format("{}-{}.dat", base.string(), k);
    WriteFileAtomically(file, text);
    plot += fmt::format("{}{} using 1:2 with linespoints title {}", k ? ", " : "", GnuplotQuote(file),
                        GnuplotQuote(r->strategy));
    budget = r->budget_ms.value_or(0);
    ++k;
  }
  if (k == 0) return;
  RenderGnuplot(fmt::format("set title {}\nset xlabel 'latency (ms)'\nset ylabel 'proxy score'\nset arrow from "
                            "{:g},graph 0 to {:g},graph 1 nohead dt 2\nset key outside\n{}",
                            GnuplotQuote(fmt::format("{} at {:g} ms: probed cells in order (seed 0)", device, budget)),
                            budget, budget, plot),
                png, 1000, 600);
}

}  // namespace

std::string WriteBenchReport(const ReportInputs& inputs, const BenchmarkData& data, const fs::path& report_path,
                             const fs::path& figures_dir) {
  // Only the runs of the current config count: rows of runs.jsonl whose key the config no longer
  // plans, or whose group's settings changed since (config digest), are left out as stale.
  int stale = 0;
  ReportInputs in = inputs;  // every input as given, the rows narrowed to the plan
  in.rows = RowsOfPlan(inputs.rows, PlanRuns(inputs.config, data), &stale);
  fs::create_directories(figures_dir);
  const fs::path rel = fs::relative(figures_dir, report_path.has_parent_path() ? report_path.parent_path() : ".");
  const bool has_nb201 = std::any_of(in.config.groups.begin(), in.config.groups.end(),
                                     [](const BenchGroup& g) { return !IsFbnetGroup(g); });
  const bool has_fbnet = std::any_of(in.config.groups.begin(), in.config.groups.end(),
                                     [](const BenchGroup& g) { return IsFbnetGroup(g); });
  std::string md;
  md += has_nb201 ? "# simnas benchmark: few-probe HW-NAS on held-out devices\n\n"
                  : "# simnas benchmark on FBNet: few-probe HW-NAS on held-out devices\n\n";
  md += fmt::format("Generated by `{}`{}. Every number below was measured by that command; the runs are in "
                    "`{}/runs.jsonl`.\n\n",
                    in.command, in.revision.empty() ? "" : " at revision " + in.revision, rel.string());
  md += "## Protocol\n\n";
  if (has_fbnet) {
    md += "- FBNet groups: HELP's 5,000 FBNet networks and their 23 latency tables (CIFAR-100); test devices "
          "`titan_rtx_64 gold_6226 fpga pixel2 raspi4 eyeriss`, train devices the other 17. FBNet has no accuracy "
          "table: its runs are scored by proxy regret against the best objective within the budget (their sections "
          "say how); no accuracy is reported for them.\n";
  }
  if (has_nb201) {
    md += "- Strategies see latencies only through a probe session that counts distinct measured cells; the answer is "
          "the best proxy score among *measured* cells within the budget (the same rule for every strategy). Accuracy "
          "is never visible to a strategy; the oracle rows use it, and only they do.\n";
    md += "- Devices: `titan_rtx_256 gold_6226 fpga pixel2 raspi4 eyeriss` are test devices (evaluation only); the other "
          "17 tables are train devices. In the leave-one-device-out group each train device is the target and its own "
          "table is withheld from the strategies.\n";
    for (const BenchGroup& g : in.config.groups) {
      if (g.controller_loo_steps > 0) {
        md += fmt::format("- In group `{}` the `controller` searching a train device is a controller trained ({} steps, "
                          "seed 0, the committed default's settings) without that device; elsewhere it is the committed "
                          "default (`models/controller/`), trained on the 17 train devices.\n",
                          g.name, g.controller_loo_steps);
      }
    }
    const std::string proxy_recipe =
        in.aggregate == ProxyAggregate::kFreeRea ? "FreeREA (min-max sum) aggregate of NASWOT, LogSynflow and SkipScore"
        : in.aggregate == ProxyAggregate::kRank  ? "rank-sum aggregate of NASWOT, LogSynflow and SkipScore"
                                                 : fmt::format("`{}` aggregate ({} of {})", in.aggregate.name,
                                                               CombinationName(in.aggregate.combination),
                                                               fmt::join(in.aggregate.proxies, ", "));
    md += fmt::format("- Proxy: {}, from `{}`.\n", proxy_recipe, in.proxy_dir.string());
    md += "- Columns: *violations* = runs whose answer's measured latency exceeds the budget (or with no answer); "
          "*accuracy* = NATS-Bench test accuracy of feasible answers, mean ± std over runs; *regret* = oracle accuracy "
          "minus the answer's; *latency pct* = share of cells at or below the answer's latency; *probes* = distinct "
          "cells measured; *wall s* = search time.\n";
  }
  md += "- Ground truth per device:\n";
  for (const auto& [device, source] : in.ground_truth_sources) md += fmt::format("  - `{}`: {}\n", device, source);
  md += fmt::format("- Runs: {} rows of `runs.jsonl` are runs of this config; {} left out as stale (runs of an earlier "
                    "config: a key this config does not plan, or a group whose settings changed since).\n",
                    in.rows.size(), stale);
  md += "\n";

  std::string winner;
  nlohmann::json summary_rows = nlohmann::json::array();
  std::string summary_csv = "group,dataset,probes,strategy,runs,violations,accuracy_mean,accuracy_std,regret,latency_pct,probes_used,wall_s\n";
  std::string fbnet_csv;
  for (const BenchGroup& group : in.config.groups) {
    if (IsFbnetGroup(group)) {
      md += FbnetReportSection(group, in.rows, fbnet_csv);
      continue;
    }
    const int main_probes = MainProbes(group);
    md += fmt::format("## {} ({})\n\n", group.name,
                      group.kind == "help"            ? "HELP's latency-constrained NAS table, CIFAR-100"
                      : group.kind == "percentile"    ? "budgets at latency percentiles"
                      : group.kind == "unconstrained" ? "the paper's unconstrained reward"
                                                      : "explicit budgets");
    std::vector<Dataset> datasets = group.kind == "help" ? std::vector<Dataset>{Dataset::kCifar100} : group.datasets;
    for (Dataset dataset : datasets) {
      const std::string ds(DatasetName(dataset));
      const auto rows = Select(in.rows, [&](const RunRecord& r) {
        return r.group == group.name && r.dataset == ds && r.probes == main_probes;
      });
      if (rows.empty()) continue;
      const auto summaries = Summarize(rows);
      for (const StrategySummary& s : summaries) {
        summary_csv += fmt::format("{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.2f},{:.4f}\n", group.name, ds,
                                   main_probes, s.strategy, s.runs, s.violations, s.accuracy_mean, s.accuracy_std,
                                   s.regret_mean, s.percentile_mean, s.probes_mean, s.wall_mean);
      }
      const auto [oracle, proxy_oracle] = OracleMeans(rows);
      md += fmt::format("### {} — {} probes\n\n", ds, main_probes);
      md += SummaryTable(summaries, group.kind == "unconstrained");
      if (group.kind != "unconstrained") {
        md += fmt::format("| oracle (best accuracy within budget, whole table) | | 0 | {:.2f} | 0 | | | |\n", oracle);
        md += fmt::format("| best proxy score within budget (exact latencies) | | 0 | {:.2f} | | | | |\n", proxy_oracle);
      }
      md += "\n";
      // Per device breakdown.
      std::set<std::string> devices;
      for (const RunRecord* r : rows) devices.insert(r->device);
      if (devices.size() > 1) {
        std::vector<std::string> strategies;
        for (const auto& s : summaries) strategies.push_back(s.strategy);
        md += "| device |";
        for (const auto& s : strategies) md += " " + s + " |";
        md += " oracle | proxy ceiling |\n|---|";
        for (std::size_t i = 0; i < strategies.size() + 2; ++i) md += "---:|";
        md += "\n";
        for (const std::string& d : devices) {
          const auto drows = Select(in.rows, [&](const RunRecord& r) {
            return r.group == group.name && r.dataset == ds && r.probes == main_probes && r.device == d;
          });
          const auto dsum = Summarize(drows);
          const auto [o, po] = OracleMeans(drows);
          md += "| " + d + " |";
          for (const auto& s : strategies) {
            const auto it = std::find_if(dsum.begin(), dsum.end(), [&](const auto& x) { return x.strategy == s; });
            if (it == dsum.end()) md += " |";
            else md += fmt::format(" {:.2f}{} |", it->accuracy_mean, it->violations ? fmt::format(" ({} viol.)", it->violations) : "");
          }
          md += fmt::format(" {:.2f} | {:.2f} |\n", o, po);
        }
        md += "\n";
      }
      if (group.kind == "help" && dataset == Dataset::kCifar100) {
        double help_acc = 0;
        int help_violations = 0;
        md += HelpPublishedSection(data, &help_acc, &help_violations) + "\n";
      }
      // The leave-one-device-out decision.
      if (group.name.rfind("loo", 0) == 0 && dataset == datasets.front()) {
        const auto ranked = RankStrategies(summaries);
        winner = ranked.front().strategy;
        md += fmt::format("**Leave-one-device-out winner: `{}`** ({} violations, mean accuracy {:.2f}); it is the "
                          "default strategy of `simnas search`.\n\n",
                          winner, ranked.front().violations, ranked.front().accuracy_mean);
      }
    }
    // Probe-budget curve.
    if (group.probes.size() > 1) {
      const auto rows = Select(in.rows, [&](const RunRecord& r) { return r.group == group.name; });
      const fs::path png = figures_dir / fmt::format("{}-accuracy-vs-probes.png", group.name);
      try {
        PlotAccuracyVsProbes(rows, png);
        md += fmt::format("![accuracy vs probes]({}/{})\n\n", rel.string(), png.filename().string());
      } catch (const Error& e) {
        spdlog::warn("{}", e.what());
      }
      md += "| strategy |";
      std::vector<int> probes = group.probes;
      std::sort(probes.begin(), probes.end());
      for (int p : probes) md += fmt::format(" {} probes |", p);
      md += "\n|---|";
      for (std::size_t i = 0; i < probes.size(); ++i) md += "---:|";
      md += "\n";
      std::vector<std::string> strategies;
      for (const auto& s : Summarize(rows)) strategies.push_back(s.strategy);
      for (const std::string& s : strategies) {
        md += "| " + s + " |";
        for (int p : probes) {
          const auto prow = Select(in.rows, [&](const RunRecord& r) {
            return r.group == group.name && r.strategy == s && r.probes == p;
          });
          const auto sum = Summarize(prow);
          if (sum.empty()) md += " |";
          else md += fmt::format(" {:.2f} ({} viol.) |", sum[0].accuracy_mean, sum[0].violations);
        }
        md += "\n";
      }
      md += "\n";
    }
    // Figures per device for table devices of the help group.
    if (group.kind == "help") {
      const ProxyTable table = LoadProxyTable(ProxyTableFile(in.proxy_dir, Dataset::kCifar100), Dataset::kCifar100);
      const ProxyScores proxy(table, in.aggregate);
      std::set<std::string> devices;
      for (const HelpTask& t : HelpTable4()) devices.insert(t.device);
      for (const std::string& d : devices) {
        const std::string spec = DeviceSpec::Table(d).ToString();
        const auto rows = Select(in.rows, [&](const RunRecord& r) {
          return r.group == group.name && r.device == spec && r.probes == main_probes && r.seed == 0;
        });
        try {
          const fs::path cloud = figures_dir / fmt::format("{}-{}-cloud.png", group.name, d);
          PlotDeviceCloud(data, proxy, d, rows, cloud);
          md += fmt::format("![{} cloud]({}/{})\n", d, rel.string(), cloud.filename().string());
          // Trajectories at the middle budget.
          std::vector<double> budgets;
          for (const HelpTask& t : HelpTable4()) {
            if (t.device == d) budgets.push_back(t.budget_ms);
          }
          const double mid = budgets[budgets.size() / 2];
          const auto trows = Select(in.rows, [&](const RunRecord& r) {
            return r.group == group.name && r.device == spec && r.probes == main_probes && r.seed == 0 &&
                   r.budget_ms && *r.budget_ms == mid;
          });
          const fs::path traj = figures_dir / fmt::format("{}-{}-trajectories.png", group.name, d);
          PlotTrajectories(data, proxy, d, trows, traj);
          md += fmt::format("![{} trajectories]({}/{})\n\n", d, rel.string(), traj.filename().string());
        } catch (const Error& e) {
          spdlog::warn("{}", e.what());
        }
      }
    }
  }
  if (has_nb201) WriteFileAtomically(figures_dir / "summary.csv", summary_csv);
  if (has_fbnet) WriteFileAtomically(figures_dir / "fbnet-summary.csv", kFbnetSummaryCsvHeader + fbnet_csv);
  WriteFileAtomically(report_path, md);
  return winner;
}

}  // namespace simnas
