#include "simnas/bench/bench_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/stats.h"
#include "simnas/devices/device_spec.h"
#include "simnas/space/registry.h"

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

// Whether the group's runs are scored by accuracy: its space has one for every dataset of the group.
bool HasAccuracy(const BenchGroup& group) {
  const std::vector<Dataset> with = group.space->AccuracyDatasets();
  const std::vector<Dataset> datasets = group.kind == "help" ? std::vector<Dataset>{Dataset::kCifar100} : group.datasets;
  return std::all_of(datasets.begin(), datasets.end(),
                     [&](Dataset d) { return std::find(with.begin(), with.end(), d) != with.end(); });
}

int MainProbes(const BenchGroup& group) {
  return std::find(group.probes.begin(), group.probes.end(), 10) != group.probes.end() ? 10 : group.probes.front();
}

struct StrategySummary {
  std::string strategy;
  int runs = 0;
  int violations = 0;       // answers whose measured latency exceeds the budget (or none found)
  int failed = 0;           // runs whose device failed (counted in runs and violations too)
  double accuracy_mean = 0; // over feasible answers
  double accuracy_std = 0;
  double regret_mean = 0;
  double percentile_mean = 0;
  double probes_mean = 0;
  double wall_mean = 0;
  double reward_mean = 0;   // unconstrained tasks
};

// Summary of `rows` per strategy (rows already filtered by the caller), in the order the
// strategies first appear.
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
      probes.push_back(r->probes_used);  // 0 for a failed run
      wall.push_back(r->wall_s);
      if (!r->feasible || !r->answer) {  // a feasible run always has an answer
        ++sum.violations;
        continue;
      }
      acc.push_back(r->answer->accuracy.value_or(0));
      regret.push_back(r->answer->regret.value_or(0));
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
    per_task[task] = {r->oracle_accuracy.value_or(0), r->proxy_oracle_accuracy.value_or(0)};
  }
  double a = 0, b = 0;
  for (const auto& [k, v] : per_task) {
    a += v.first;
    b += v.second;
  }
  const double n = per_task.empty() ? 1.0 : static_cast<double>(per_task.size());
  return {a / n, b / n};
}

void PlotAccuracyVsProbes(const std::vector<const RunRecord*>& rows, const fs::path& png) {
  std::map<std::string, std::map<int, std::vector<double>>> series;
  for (const RunRecord* r : rows) {
    if (!r->feasible || !r->answer) continue;
    series[r->strategy][r->probes].push_back(r->answer->accuracy.value_or(0));
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

// Per device: every architecture's (latency, proxy), the proxy front, and each strategy's answers.
void PlotDeviceCloud(const SpaceData& data, const ScoreTable& proxy, const std::string& device,
                     const std::vector<const RunRecord*>& rows, const fs::path& png) {
  const LatencyTable& table = data.DeviceTable(device);
  std::string cloud;
  std::vector<std::pair<double, double>> points;
  for (int i = 0; i < static_cast<int>(table.values().size()); ++i) {
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
  std::string plot = fmt::format("plot {} using 1:2 with dots lc rgb '#bbbbbb' title 'all {}s', {} using 1:2 with "
                                 "steps lw 2 lc rgb 'black' title 'proxy front'",
                                 GnuplotQuote(base.string() + "-cloud.dat"), data.space().arch_noun(),
                                 GnuplotQuote(base.string() + "-front.dat"));
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

// Trajectories of each strategy on one task (seed 0): probed architectures in probe order.
void PlotTrajectories(const SpaceData& data, const ScoreTable& proxy, const std::string& device,
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
                            GnuplotQuote(fmt::format("{} at {:g} ms: probed {}s in order (seed 0)", device, budget,
                                                     data.space().arch_noun())),
                            budget, budget, plot),
                png, 1000, 600);
}

}  // namespace

std::string WriteBenchReport(const ReportInputs& inputs, const fs::path& report_path, const fs::path& figures_dir) {
  // Only the runs of the current config count: rows of runs.jsonl whose key the config no longer
  // plans, or whose group's settings changed since (config digest), are left out as stale.
  int stale = 0;
  ReportInputs in = inputs;  // every input as given, the rows narrowed to the plan
  in.rows = RowsOfPlan(inputs.rows, PlanRuns(inputs.config, inputs.data), &stale);
  fs::create_directories(figures_dir);
  const fs::path rel = fs::relative(figures_dir, report_path.has_parent_path() ? report_path.parent_path() : ".");
  // The config's spaces in order of first use; whether any group is scored by accuracy.
  std::vector<const Space*> spaces;
  bool has_accuracy = false;
  for (const BenchGroup& g : in.config.groups) {
    if (std::find(spaces.begin(), spaces.end(), g.space) == spaces.end()) spaces.push_back(g.space);
    has_accuracy = has_accuracy || HasAccuracy(g);
  }
  std::string md;
  md += spaces.size() == 1 && spaces.front()->name() != kDefaultSpaceName
            ? fmt::format("# simnas benchmark on {}: few-probe HW-NAS on held-out devices\n\n", spaces.front()->title())
            : "# simnas benchmark: few-probe HW-NAS on held-out devices\n\n";
  md += fmt::format("Generated by `{}`{}. Every number below was measured by that command; the runs are in "
                    "`{}/runs.jsonl`.\n\n",
                    in.command, in.revision.empty() ? "" : " at revision " + in.revision, rel.string());
  md += "## Protocol\n\n";
  md += "- Strategies see latencies only through a probe session that counts distinct measured architectures; the "
        "answer is the best score among *measured* architectures within the budget (the same rule for every "
        "strategy). Accuracy is never visible to a strategy; the oracle rows use it, and only they do.\n";
  for (const Space* space : spaces) {
    const SpaceData& data = in.data(*space);
    const std::vector<std::string> tests = data.AllTestDevices();
    std::string test_list;
    for (const std::string& t : tests) test_list += (test_list.empty() ? "" : " ") + t;
    md += fmt::format("- {}: {} {}s; devices `{}` are test devices (evaluation only), the other {} tables are train "
                      "devices. In a leave-one-device-out group each train device is the target and its own table is "
                      "withheld from the strategies.{}\n",
                      space->title(), data.Numbering().size(), space->arch_noun(), test_list,
                      data.DeviceNames().size() - data.TestDevices().size(),
                      space->AccuracyDatasets().empty()
                          ? " It has no measured accuracy: its runs are scored by proxy regret against the best "
                            "objective within the budget (their sections say how); no accuracy is reported for them."
                          : "");
  }
  for (const BenchGroup& g : in.config.groups) {
    if (g.controller_loo_steps > 0) {
      md += fmt::format("- In group `{}` the `controller` searching a train device is a controller trained ({} steps, "
                        "seed 0, the committed default's settings) without that device; elsewhere it is the committed "
                        "default (`models/controller/`), trained on the train devices.\n",
                        g.name, g.controller_loo_steps);
    }
  }
  if (has_accuracy) {
    md += fmt::format("- Proxy: {}.\n", in.score_description);
    md += "- Columns: *violations* = runs whose answer's measured latency exceeds the budget (or with no answer); "
          "*accuracy* = measured test accuracy of feasible answers, mean ± std over runs; *regret* = oracle accuracy "
          "minus the answer's; *latency pct* = share of architectures at or below the answer's latency; *probes* = "
          "distinct architectures measured; *wall s* = search time.\n";
  }
  md += "- Ground truth per device:\n";
  for (const auto& [device, source] : in.ground_truth_sources) md += fmt::format("  - `{}`: {}\n", device, source);
  md += fmt::format("- Runs: {} rows of `runs.jsonl` are runs of this config; {} left out as stale (runs of an earlier "
                    "config: a key this config does not plan, or a group whose settings changed since).\n",
                    in.rows.size(), stale);
  md += "\n";

  std::string winner;
  std::string summary_csv = "group,dataset,probes,strategy,runs,violations,accuracy_mean,accuracy_std,regret,latency_pct,probes_used,wall_s\n";
  std::map<std::string, std::string> score_csv;  // by space name
  for (const BenchGroup& group : in.config.groups) {
    const SpaceData& data = in.data(*group.space);
    if (!HasAccuracy(group)) {
      md += ScoreSection(group, in.rows, data.Numbering().size(), score_csv[std::string(group.space->name())]);
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
      if (group.kind == "help" && dataset == Dataset::kCifar100 && in.published_answers) {
        const std::string published = in.published_answers(data);
        if (!published.empty()) md += published + "\n";
      }
      // The leave-one-device-out decision.
      if (group.name.rfind("loo", 0) == 0 && dataset == datasets.front()) {
        // Fewest violations first, then highest mean accuracy.
        std::vector<StrategySummary> ranked = summaries;
        std::stable_sort(ranked.begin(), ranked.end(), [](const StrategySummary& a, const StrategySummary& b) {
          if (a.violations != b.violations) return a.violations < b.violations;
          return a.accuracy_mean > b.accuracy_mean;
        });
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
      const ScoreTable proxy =
          in.scores(*group.space, Dataset::kCifar100, group.objective.empty() ? in.score_source : group.objective);
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
  if (has_accuracy) WriteFileAtomically(figures_dir / "summary.csv", summary_csv);
  for (const auto& [space, csv] : score_csv) {
    WriteFileAtomically(figures_dir / (space + "-summary.csv"), kScoreSummaryCsvHeader + csv);
  }
  WriteFileAtomically(report_path, md);
  return winner;
}

std::vector<ScoreSummary> SummarizeScores(const std::vector<const RunRecord*>& rows) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> by;
  for (const RunRecord* r : rows) {
    if (by.find(r->strategy) == by.end()) order.push_back(r->strategy);
    by[r->strategy].push_back(r);
  }
  std::vector<ScoreSummary> out;
  for (const std::string& s : order) {
    ScoreSummary sum;
    sum.strategy = s;
    std::vector<double> objective, best, regret, rank, probes, wall;
    for (const RunRecord* r : by[s]) {
      ++sum.runs;
      probes.push_back(r->probes_used);
      wall.push_back(r->wall_s);
      if (r->score) best.push_back(r->score->best_objective);
      if (!r->feasible || !r->answer || !r->score || !r->score->regret) {
        ++sum.violations;
        continue;
      }
      objective.push_back(*r->score->answer_objective);
      regret.push_back(*r->score->regret);
      rank.push_back(r->score->rank_share.value_or(0));
    }
    const auto mean = [](const std::vector<double>& v) { return v.empty() ? 0.0 : Mean(v); };
    sum.objective_mean = mean(objective);
    sum.best_mean = mean(best);
    sum.regret_mean = mean(regret);
    sum.rank_share_mean = mean(rank);
    sum.probes_mean = mean(probes);
    sum.wall_mean = mean(wall);
    out.push_back(sum);
  }
  return out;
}

namespace {

// Objective values as printed: multiply-adds in millions, anything else as is.
struct Units {
  double scale = 1;
  std::string suffix;
};
Units UnitsOf(const std::string& objective) {
  if (objective == "multiply-adds") return {1e-6, " (M)"};
  return {};
}

// For a group whose devices answer different numbers of candidates (a device that answers only
// some architectures searches those): " (table:x: the 3446 it answers)", or "" when all agree
// with `candidates`.
std::string PartialDevicesNote(const std::vector<const RunRecord*>& rows, int candidates, const std::string& noun) {
  std::map<std::string, int> fewer;
  for (const RunRecord* r : rows) {
    if (r->score && r->score->candidates != candidates) fewer[r->device] = r->score->candidates;
  }
  if (fewer.empty()) return "";
  std::string note;
  for (const auto& [device, n] : fewer) {
    note += fmt::format("{}{}: the {} {}s it answers, its candidates", note.empty() ? "" : "; ", device, n, noun);
  }
  return " (" + note + ")";
}

}  // namespace

std::string ScoreSection(const BenchGroup& group, const std::vector<RunRecord>& rows, int numbering_size,
                         std::string& summary_csv) {
  const auto mine = Select(rows, [&](const RunRecord& r) { return r.group == group.name; });
  const bool table_devices = std::all_of(mine.begin(), mine.end(), [](const RunRecord* r) { return r->ground_truth_complete; });
  const Space& space = *group.space;
  const std::string noun(space.arch_noun());
  std::string md = fmt::format("## {} ({}: {})\n\n", group.name, space.title(),
                               group.kind == "percentile"
                                   ? fmt::format("budgets at latency percentiles of each device's {}",
                                                 table_devices ? "own table" : "measured reference sample")
                               : group.kind == "unconstrained" ? std::string("the paper's unconstrained reward")
                               : group.kind == "help"          ? std::string("HELP's latency-constrained NAS table")
                                                               : std::string("explicit budgets"));
  if (mine.empty()) return md + "No runs yet.\n\n";
  const std::string objective = mine.front()->score ? mine.front()->score->objective : group.objective;
  const Units units = UnitsOf(objective);
  int candidates = mine.front()->score ? mine.front()->score->candidates : 0;
  if (table_devices) {
    // The most any device answers (a device answering only some architectures is named apart).
    for (const RunRecord* r : mine) {
      if (r->score) candidates = std::max(candidates, r->score->candidates);
    }
  }
  const std::string against =
      !table_devices ? fmt::format("the {0} {1}s of the device's reference sample (measured live; see Ground truth above) "
                                   "whose measured latency is within the budget, not all {2}, so a regret can be "
                                   "negative when an answer outside the sample beats them",
                                   candidates, noun, numbering_size)
                     : fmt::format("the table's {} {}s whose exact latency is within the budget{}", candidates, noun,
                                   PartialDevicesNote(mine, candidates, noun));
  md += fmt::format(
      "**{} has no measured accuracy: nothing in this section is an accuracy.** Every answer is scored by its "
      "objective, **{}** (a stand-in proxy, higher is better), against the best objective among {}: *proxy regret* = best − answer's objective{}; *rank share* = "
      "share of the {}s within the budget with a strictly better objective than the answer (0 = the best "
      "one). Both are over feasible answers only. *violations* = runs with no probed {} within the budget or "
      "an answer measured over it. The answer rule is the same for every strategy: the best objective among the "
      "probed {}s whose measured latency is within the budget. Strategy `default` = `{}`. The proxy-based "
      "strategies follow the train table with the best mean SRCC to the other train tables (the target's own left "
      "out).\n\n",
      space.title(), objective, against, units.suffix, noun, noun, noun, space.DefaultStrategy());
  std::vector<int> probes = group.probes;
  std::sort(probes.begin(), probes.end());
  const auto table_of = [&](const std::vector<ScoreSummary>& sums) {
    std::string t = fmt::format("| strategy | runs | violations | objective of feasible answers{0} | best within "
                                "budget{0} | proxy regret{0} | rank share | probes | wall s |\n",
                                units.suffix);
    t += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const ScoreSummary& s : sums) {
      t += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.4f} | {:.1f} | {:.4f} |\n", s.strategy, s.runs,
                       s.violations, s.objective_mean * units.scale, s.best_mean * units.scale,
                       s.regret_mean * units.scale, s.rank_share_mean, s.probes_mean, s.wall_mean);
    }
    return t;
  };
  const auto csv_rows = [&](const std::string& budget, int p, const std::vector<ScoreSummary>& sums) {
    for (const ScoreSummary& s : sums) {
      summary_csv += fmt::format("{},{},{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6f},{:.2f},{:.5f}\n", group.name, budget,
                                 p, s.strategy, s.runs, s.violations, objective, s.objective_mean, s.best_mean,
                                 s.regret_mean, s.rank_share_mean, s.probes_mean, s.wall_mean);
    }
  };
  for (int p : probes) {
    const auto at = Select(rows, [&](const RunRecord& r) { return r.group == group.name && r.probes == p; });
    if (at.empty()) continue;
    const auto sums = SummarizeScores(at);
    md += fmt::format("### {} probes, all devices and budgets\n\n", p) + table_of(sums) + "\n";
    csv_rows("all", p, sums);
    // Per budget percentile.
    md += fmt::format("Proxy regret{} (violations) per budget:\n\n| strategy |", units.suffix);
    std::vector<std::string> labels;  // the budgets, in order of first appearance
    for (const RunRecord* r : at) {
      if (std::find(labels.begin(), labels.end(), r->budget_label) == labels.end()) labels.push_back(r->budget_label);
    }
    for (const std::string& label : labels) md += fmt::format(" {} |", label);
    md += "\n|---|";
    for (std::size_t i = 0; i < labels.size(); ++i) md += "---:|";
    md += "\n";
    std::map<std::string, std::vector<ScoreSummary>> per_budget;
    for (const std::string& label : labels) {
      per_budget[label] = SummarizeScores(Select(rows, [&](const RunRecord& r) {
        return r.group == group.name && r.probes == p && r.budget_label == label;
      }));
      csv_rows(label, p, per_budget[label]);
    }
    for (const ScoreSummary& s : sums) {
      md += "| " + s.strategy + " |";
      for (const std::string& label : labels) {
        const auto& list = per_budget[label];
        const auto it = std::find_if(list.begin(), list.end(), [&](const auto& x) { return x.strategy == s.strategy; });
        md += it == list.end() ? " |" : fmt::format(" {:.3f} ({}) |", it->regret_mean * units.scale, it->violations);
      }
      md += "\n";
    }
    md += "\n";
    // Per device.
    std::vector<std::string> devices;
    for (const RunRecord* r : at) {
      if (std::find(devices.begin(), devices.end(), r->device) == devices.end()) devices.push_back(r->device);
    }
    md += fmt::format("Proxy regret{} (violations) per device, and the proxy device followed:\n\n| device | proxy "
                      "device |",
                      units.suffix);
    for (const auto& s : sums) md += " " + s.strategy + " |";
    md += "\n|---|---|";
    for (std::size_t i = 0; i < sums.size(); ++i) md += "---:|";
    md += "\n";
    for (const std::string& d : devices) {
      const auto dr = Select(rows, [&](const RunRecord& r) {
        return r.group == group.name && r.probes == p && r.device == d;
      });
      const auto dsum = SummarizeScores(dr);
      md += fmt::format("| {} | {} |", d, dr.front()->score ? dr.front()->score->proxy_device : "");
      for (const auto& s : sums) {
        const auto it = std::find_if(dsum.begin(), dsum.end(), [&](const auto& x) { return x.strategy == s.strategy; });
        md += it == dsum.end() ? " |" : fmt::format(" {:.3f} ({}) |", it->regret_mean * units.scale, it->violations);
      }
      md += "\n";
    }
    md += "\n";
  }
  return md;
}

}  // namespace simnas
