// simnas train: PPO meta-training of the controller on synthetic devices.
// simnas controller eval|loo|trajectories: measuring controllers on benchmark tables.
#include <chrono>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "cli_options.h"
#include "simnas/controller/controller_runner.h"
#include "simnas/bench/evaluation.h"
#include "simnas/bench/picker_training.h"
#include "simnas/bench/trajectories.h"
#include "simnas/bench/leave_one_out.h"
#include "simnas/controller/ppo_trainer.h"
#include "simnas/controller/synthetic_env.h"
#include "simnas/controller/walk_tables.h"
#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/strategies/controller_strategy.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/strategies/picker_controller.h"
#include "simnas/strategies/registry.h"
#include "simnas/synthetic/synthetic_distribution.h"

namespace simnas::cli {
namespace fs = std::filesystem;
namespace {

// --model, else the shipped controller for a latency budget.
fs::path ModelOrDefault(CliContext& ctx, const std::string& model) {
  return model.empty() ? ctx.Strategies().controller_model : fs::path(model);
}

// The edit walk's training inputs for `simnas train` (`controller loo` uses bench/leave_one_out.h):
// the space's score of a dataset, synthetic devices fitted with `fit`, from train devices only.
TrainingInputs PrepareTraining(CliContext& ctx, Dataset dataset, const ProxyArgs& proxy,
                               const std::vector<std::string>& exclude, LutFitKind fit) {
  const Space& space = ctx.space();
  for (const std::string& d : exclude) {
    if (space.IsTestDevice(d)) {
      throw ParseError(fmt::format("--exclude {}: test devices are never used for training anyway", d));
    }
  }
  return PrepareTrainingInputs(ctx.DataOf(space), ctx.Ws().ScoresOf(space, dataset, proxy.aggregate, proxy.proxy_table),
                               exclude, fit);
}

struct EnvArgs {
  std::string reward = "budget";
  int probes = 10;
  int horizon = 50;
  int history = 5;
  std::string start = "best-proxy";
  int top_k = 100;
  double start_quantile = 0.5;
  double ridge = 1.0;
  double budget_lo = 10, budget_hi = 90;
  double infeasible = -0.5;
  bool rank_score = false;
  std::string synthetic = "default";
};

void AddEnvOptions(CLI::App* cmd, EnvArgs& e) {
  cmd->add_option("--reward", e.reward, "budget (maximize proxy s.t. latency <= budget) or paper (p + 1 - l)");
  cmd->add_option("--probes", e.probes, "Distinct cells measured per episode (0 = unlimited, the paper's)");
  cmd->add_option("--horizon", e.horizon, "Steps per episode at most (paper: 50)");
  cmd->add_option("--history", e.history, "(state, action) pairs in the observation (paper: 5)");
  cmd->add_option("--start", e.start, "Start cell: best-proxy, top-k, prior-quantile or random (paper)");
  cmd->add_option("--start-quantile", e.start_quantile, "--start prior-quantile: prior latency quantile (0, 1]");
  cmd->add_option("--ridge", e.ridge, "Adapted latency table: ridge weight toward the scaled prior");
  cmd->add_option("--top-k", e.top_k, "Start among the top K proxy cells (--start top-k)");
  cmd->add_option("--budget-lo", e.budget_lo, "Lowest budget percentile of a sampled device");
  cmd->add_option("--budget-hi", e.budget_hi, "Highest budget percentile of a sampled device");
  cmd->add_option("--infeasible-score", e.infeasible, "Budget reward: score while nothing feasible was measured");
  cmd->add_flag("--rank-score", e.rank_score, "Budget reward on the proxy's rank percentile instead of its value");
  cmd->add_option("--synthetic", e.synthetic, "Synthetic device options (paper, default, sampler=..., see synth sample)");
}

EnvConfig MakeEnvConfig(const EnvArgs& e) {
  EnvConfig c = e.reward == "paper" ? EnvConfig::Paper() : EnvConfig{};
  c.reward = ParseRewardKind(e.reward);
  c.probes = e.probes;
  c.horizon = e.horizon;
  c.history = e.history;
  c.start = ParseStartKind(e.start);
  c.top_k = e.top_k;
  c.start_quantile = e.start_quantile;
  c.ridge = e.ridge;
  c.budget_lo = e.budget_lo;
  c.budget_hi = e.budget_hi;
  c.infeasible_score = e.infeasible;
  c.rank_score = e.rank_score;
  c.synthetic = SyntheticOptions::Parse(e.synthetic);
  EnvConfigFromJson(EnvConfigToJson(c));  // validates ranges
  return c;
}

void AddPpoOptions(CLI::App* cmd, PpoConfig& p) {
  cmd->add_option("--envs", p.num_envs, "Environments stepped together");
  cmd->add_option("--rollout", p.rollout, "Steps per environment between updates");
  cmd->add_option("--epochs", p.epochs, "PPO epochs per update");
  cmd->add_option("--minibatch", p.minibatch, "PPO minibatch size");
  cmd->add_option("--lr", p.lr, "Adam learning rate (annealed linearly to 5%)");
  cmd->add_option("--gamma", p.gamma, "Discount (paper: 0.6)");
  cmd->add_option("--gae-lambda", p.gae_lambda, "GAE lambda");
  cmd->add_option("--entropy", p.entropy_coef, "Entropy bonus coefficient");
  cmd->add_option("--hidden", p.hidden, "Hidden units per layer");
  cmd->add_option("--layers", p.layers, "Hidden layers");
  cmd->add_flag("--shared-trunk", p.shared_trunk, "Value head on the policy's hidden layers");
  cmd->add_option("--threads", p.threads, "Torch threads (1 is fastest for these small matrices)");
}

std::vector<double> NumberList(const std::string& text, const char* what) {
  std::vector<double> out;
  for (const std::string& s : Split(text, ',')) {
    const auto v = ParseDouble(s);
    if (!v) throw ParseError(fmt::format("{}: {} is not a number", what, Quoted(s)));
    out.push_back(*v);
  }
  return out;
}

// The time of a training run, for its provenance.
std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return date;
}

// The candidate picker's settings (controller/picker_episode.h) beside the shared ones (EnvArgs).
struct PickerArgs {
  std::string process;  // empty: the space's DefaultControllerProcess
  std::string aims = "0.6,0.7,0.8,0.9,1.0,1.1";
  bool linear = false;
  double network_sigma = 0.1;
  bool miss_cap = false;
};

// Whether `flag` was given to `cmd` (false when `cmd` has no such option).
bool Given(const CLI::App& cmd, const char* flag) {
  const CLI::Option* o = cmd.get_option_no_throw(flag);
  return o != nullptr && o->count() > 0;
}

// The decision process `--process` names (empty: the space's default). Throws ParseError for an
// unknown name, and for the edit walk on a space whose candidates are not every combination of
// its choices (WalkProblem).
std::string ResolveProcess(CliContext& ctx, const std::string& given, const std::string& command) {
  const std::string process = given.empty() ? std::string(ctx.space().DefaultControllerProcess()) : given;
  if (process != kWalkProcess && process != kPickerProcess) {
    throw ParseError(fmt::format("{} --process {}: unknown decision process (walk or picker)", command, given));
  }
  if (process == kWalkProcess) {
    if (const std::string problem = WalkProblem(ctx.Numbering()); !problem.empty()) {
      throw ParseError(fmt::format("{} --process walk: {}", command, problem));
    }
  }
  return process;
}

// Refuses an edit-walk flag given to `command` for the candidate picker.
void RefuseWalkEnvFlags(const CLI::App& cmd, const std::string& command) {
  for (const char* flag : {"--reward", "--horizon", "--history", "--start", "--start-quantile", "--ridge", "--top-k",
                           "--rank-score"}) {
    if (Given(cmd, flag)) {
      throw ParseError(fmt::format("{} --process picker: {} is a setting of the edit walk (the picker's: --probes, "
                                   "--aims, --linear, --network-sigma, --miss-cap, --synthetic, --budget-lo, "
                                   "--budget-hi, --infeasible-score, --aggregate)",
                                   command, flag));
    }
  }
}

// Refuses the candidate picker's flags given to `command` for the edit walk.
void RefusePickerEnvFlags(const CLI::App& cmd, const std::string& command) {
  if (Given(cmd, "--aims") || Given(cmd, "--linear") || Given(cmd, "--network-sigma") || Given(cmd, "--miss-cap")) {
    throw ParseError(command + ": --aims, --linear, --network-sigma and --miss-cap are settings of --process picker");
  }
}

void AddPickerEnvOptions(CLI::App* cmd, PickerArgs& a) {
  cmd->add_option("--process", a.process,
                  "Decision process: walk (edit walk) or picker (candidate picker); default: the space's");
  cmd->add_option("--aims", a.aims, "--process picker: the actions' aims, fractions of the budget (comma-separated)");
  cmd->add_flag("--linear", a.linear,
                "--process picker: actions of the AdaProxy linear predictor too (~23x slower to train)");
  cmd->add_option("--network-sigma", a.network_sigma,
                  "--process picker: log-normal residual of every candidate's latency on a training device");
  cmd->add_flag("--miss-cap", a.miss_cap,
                "--process picker: while no probe fits, every aim times 0.8 per probe over the budget");
}

// The candidate picker of the flags on `space` (ranges validated); --synthetic not given: the
// space's synthetic devices.
PickerEnvConfig MakePickerEnvConfig(const CLI::App& cmd, const Space& space, const EnvArgs& env_args,
                                    const PickerArgs& picker_args) {
  PickerEnvConfig config;
  config.probes = env_args.probes;
  config.aims = NumberList(picker_args.aims, "--aims");
  config.linear = picker_args.linear;
  config.network_sigma = picker_args.network_sigma;
  config.miss_cap = picker_args.miss_cap;
  config.budget_lo = env_args.budget_lo;
  config.budget_hi = env_args.budget_hi;
  config.infeasible_score = env_args.infeasible;
  config.synthetic = Given(cmd, "--synthetic") ? SyntheticOptions::Parse(env_args.synthetic, space.DefaultSyntheticOptions())
                                               : SyntheticOptions::DefaultOf(space);
  try {
    return PickerEnvConfigFromJson(PickerEnvConfigToJson(config));  // validates ranges
  } catch (const DataError& e) {
    throw ParseError(e.what());
  }
}

// The dataset a command uses on `space`: --dataset when given, else cifar100 where the space
// has it, else the space's first (the search's rule).
Dataset DatasetOf(const CLI::App& cmd, const Space& space, const std::string& dataset) {
  if (Given(cmd, "--dataset")) return ParseDataset(dataset);
  const std::vector<Dataset> datasets = space.Datasets();
  return std::find(datasets.begin(), datasets.end(), Dataset::kCifar100) != datasets.end() ? Dataset::kCifar100
                                                                                          : datasets.front();
}

struct TrainArgs {
  std::int64_t steps = 500000;
  std::uint64_t seed = 0;
  std::string out = "out/controller-train";
  bool resume = false;
  std::string dataset = "cifar100";
  ProxyArgs proxy;
  std::string exclude;
  double checkpoint_minutes = 3;
  EnvArgs env;
  PickerArgs picker;
  PpoConfig ppo;
};

// The settings of a `simnas train` run that every decision process shares.
void SetRun(PolicyTrainOptions& options, const TrainArgs& a) {
  options.ppo = a.ppo;
  options.ppo.total_steps = a.steps;
  options.seed = a.seed;
  options.out = a.out;
  options.resume = a.resume;
  options.checkpoint_minutes = a.checkpoint_minutes;
}

void PrintTrained(const TrainResult& r) {
  fmt::print("trained {} steps in {:.1f} s ({:.0f} steps/s); final mean return {:.4f}\nmodel {}\n", r.steps, r.seconds,
             r.steps_per_second, r.final_mean_return, r.model.string());
}

// `simnas train --process picker`: the candidate picker on the synthetic devices of --space,
// fitted on its train tables but --exclude (bench/picker_training.h), ranking the space's
// numbered candidates by the search's score (--aggregate / --proxy-table; default: the space's).
void TrainPicker(CliContext& ctx, const CLI::App& cmd, const TrainArgs& a) {
  RefuseWalkEnvFlags(cmd, "train");
  const Space& space = ctx.space();
  const PickerEnvConfig config = MakePickerEnvConfig(cmd, space, a.env, a.picker);
  const Dataset dataset = DatasetOf(cmd, space, a.dataset);
  const SpaceData& data = ctx.DataOf(space);
  std::vector<std::string> excluded;
  for (const std::string& d : Split(a.exclude, ',')) {
    if (!Trim(d).empty()) excluded.emplace_back(Trim(d));
  }
  const ScoreTable score = ctx.Ws().ScoresOf(space, dataset, a.proxy.aggregate, a.proxy.proxy_table);
  PolicyTrainOptions options;
  SetRun(options, a);
  options.provenance = {{"command", CommandLine()},
                        {"objective_source", a.proxy.aggregate.empty() ? score.name() : a.proxy.aggregate},
                        {"dataset", std::string(DatasetName(dataset))},
                        {"simnas_version", SIMNAS_VERSION},
                        {"date", UtcNow()}};
  PrintTrained(TrainPickerController(data, score, config, options, excluded));
}

struct EvalArgs {
  std::string process;  // empty: the space's DefaultControllerProcess
  std::string model;
  std::string devices = "test";
  std::string percentiles = "25,50,75";
  int seeds = 10;
  int probes = 10;
  std::string dataset = "cifar100";
  ProxyArgs proxy;
  std::string strategies = "controller,random";
  bool greedy = false;
  std::string out;
  bool json = false;
};

struct LooArgs {
  std::int64_t steps = 500000;
  std::uint64_t seed = 0;
  std::string out = "out/controller-loo";
  std::string devices = "train";
  std::string percentiles = "25,50,75";
  int seeds = 10;
  int probes = 10;
  std::string dataset = "cifar100";
  std::string proxy_table;
  std::string aggregate;  // empty: the default recipe
  std::string strategies = "controller,random";
  EnvArgs env;
  PickerArgs picker;
  PpoConfig ppo;
};

struct TrajArgs {
  std::string process;  // empty: the space's DefaultControllerProcess
  std::string model;
  std::string devices = "test";
  double percentile = 50;
  std::uint64_t seed = 0;
  int probes = 10;
  std::string dataset = "cifar100";
  ProxyArgs proxy;
  std::string out = "docs/controller_trajectories.png";
};

// The strategies the candidate picker is compared with when --strategies is not given: the
// controller, the space's default strategy, random.
std::string PickerEvalStrategies(const Space& space) {
  std::string out = "controller";
  if (space.DefaultStrategy() != "controller" && space.DefaultStrategy() != "random") {
    out += "," + std::string(space.DefaultStrategy());
  }
  return out + ",random";
}

// The strategies a --process picker evaluation compares: --strategies, else PickerEvalStrategies.
std::vector<NamedStrategy> PickerStrategies(const CLI::App& cmd, const std::string& given, const Space& space) {
  std::vector<NamedStrategy> named;
  for (const std::string& name : Split(Given(cmd, "--strategies") ? given : PickerEvalStrategies(space), ',')) {
    named.push_back({name, nullptr});
  }
  return named;
}

// The budgets, seeds and probes of an evaluation (--percentiles, --seeds, --probes).
EvalSpec SpecOf(const std::string& percentiles, int seeds, int probes, Dataset dataset) {
  EvalSpec spec;
  spec.percentiles = NumberList(percentiles, "--percentiles");
  spec.seeds = seeds;
  spec.probes = probes;
  spec.dataset = dataset;
  return spec;
}

// The held-out groups --devices names: "train" (each train device alone), or groups separated by
// ';' of comma-separated devices.
std::vector<std::vector<std::string>> LeaveOutGroups(const SpaceData& data, const std::string& devices) {
  std::vector<std::vector<std::string>> groups;
  if (Trim(devices) == "train") {
    for (const std::string& d : data.TrainDevices()) groups.push_back({d});
  } else {
    for (const std::string& g : Split(devices, ';')) {
      if (!Trim(g).empty()) groups.push_back(DeviceListOf(data, std::string(Trim(g))));
    }
  }
  return groups;
}

// One device's trajectory on stdout; `score` names the second number.
void PrintTrajectory(const DeviceTrajectory& t, const char* score) {
  fmt::print("{} (budget {:.3f} ms):\n", t.device, t.budget_ms);
  for (const TrajectoryPoint& p : t.points) {
    fmt::print("  {:>8.3f} ms  pct {:.2f}  {} {:.3f}  {}{}\n", p.latency_ms, p.latency_percentile, score, p.score, p.arch,
               p.answer ? "  <- answer" : "");
  }
}

// `controller eval --process picker`: the strategies on the space's tables, scored by the
// search's score (proxy regret; bench/evaluation.h, SummarizeScoreEval).
void EvalPicker(CliContext& ctx, const CLI::App& cmd, const EvalArgs& a) {
  if (Given(cmd, "--greedy")) {
    throw ParseError("controller eval --process picker: --greedy: the candidate picker always takes its most likely action");
  }
  const Space& space = ctx.space();
  const Dataset dataset = DatasetOf(cmd, space, a.dataset);
  const SpaceData& data = ctx.DataOf(space);
  EvalSpec spec = SpecOf(a.percentiles, a.seeds, a.probes, dataset);
  spec.devices = DeviceListOf(data, a.devices);
  const std::vector<NamedStrategy> named = PickerStrategies(cmd, a.strategies, space);
  const ScoreTable objective = ctx.Ws().ScoresOf(space, dataset, a.proxy.aggregate, a.proxy.proxy_table);
  StrategyResources strategies = ctx.Strategies();
  if (!a.model.empty()) strategies.picker_controller_model = a.model;
  const fs::path model = strategies.picker_controller_model;
  const std::string space_name(space.name());
  const std::vector<ScoreEvalRow> rows = SummarizeScoreEval(EvaluateRuns(data, objective, spec, named, strategies));
  const std::string md = ScoreEvalRowsToMarkdown(rows, objective.name(), space_name);
  if (!a.out.empty()) {
    WriteFileAtomically(a.out, md);
    WriteFileAtomically(fs::path(a.out).replace_extension(".json"),
                        ScoreEvalRowsToJson(rows, objective.name(), space_name).dump(2) + "\n");
  }
  if (a.json) {
    PrintJson(ScoreEvalRowsToJson(rows, objective.name(), space_name));
  } else {
    fmt::print("{}: {} probes, {} seeds, budgets at percentiles {} of each device's table ({}), {} candidates "
               "replayed; controller {}\n\n{}",
               space_name, spec.probes, spec.seeds, a.percentiles, a.devices, data.Numbering().size(), model.string(),
               md);
  }
}

// `controller loo --process picker` (bench/picker_training.h): a picker trained without each
// group of train devices, evaluated on them like EvalPicker.
void LooPicker(CliContext& ctx, const CLI::App& cmd, const LooArgs& a) {
  RefuseWalkEnvFlags(cmd, "controller loo");
  const Space& space = ctx.space();
  const SpaceData& data = ctx.DataOf(space);
  const std::vector<std::vector<std::string>> groups = LeaveOutGroups(data, a.devices);
  for (const auto& group : groups) CheckPickerLeaveOutDevices(data, group);  // every group, before any training
  PickerLeaveOutSettings settings;
  settings.env = MakePickerEnvConfig(cmd, space, a.env, a.picker);
  settings.ppo = a.ppo;
  settings.ppo.total_steps = a.steps;
  settings.seed = a.seed;
  const Dataset dataset = DatasetOf(cmd, space, a.dataset);
  const ScoreTable objective = ctx.Ws().ScoresOf(space, dataset, a.aggregate, a.proxy_table);
  const nlohmann::json provenance = {{"objective_source", a.aggregate.empty() ? objective.name() : a.aggregate},
                                     {"simnas_version", SIMNAS_VERSION}};
  const EvalSpec spec = SpecOf(a.percentiles, a.seeds, a.probes, dataset);
  const std::vector<NamedStrategy> named = PickerStrategies(cmd, a.strategies, space);
  const std::string space_name(space.name());
  const fs::path root(Given(cmd, "--out") ? a.out : fmt::format("out/controller-loo-{}", space_name));
  const std::string command = CommandLine();
  std::vector<RunRecord> all_runs;
  for (const auto& group : groups) {
    const LeaveOutController trained =
        TrainPickerLeaveOutController(data, objective, group, settings, provenance, root / LeaveOutName(group));
    if (!trained.trained) fmt::print(stderr, "leave-one-out: reusing the finished controller {}\n", trained.model.string());
    EvalSpec held = spec;
    held.devices = group;
    held.exclude_from_context = group;
    StrategyResources resources;
    resources.picker_controller_model = trained.model;
    const std::vector<RunRecord> runs = EvaluateRuns(data, objective, held, named, resources);
    all_runs.insert(all_runs.end(), runs.begin(), runs.end());
    const std::vector<ScoreEvalRow> rows = SummarizeScoreEval(all_runs);
    WriteFileAtomically(root / "loo.md", fmt::format("Command: `{}`\n\n{}", command,
                                                     ScoreEvalRowsToMarkdown(rows, objective.name(), space_name)));
    WriteFileAtomically(root / "loo.json", ScoreEvalRowsToJson(rows, objective.name(), space_name).dump(2) + "\n");
    fmt::print("{}\n", ScoreEvalRowsToMarkdown(SummarizeScoreEval(runs), objective.name(), space_name));
  }
  fmt::print("\n{} leave-out over {} groups of train devices:\n{}", space_name, groups.size(),
             ScoreEvalRowsToMarkdown(SummarizeScoreEval(all_runs), objective.name(), space_name));
}

// `controller trajectories --process picker` (bench/trajectories.h): the picker on each
// device's table, scored by the score's rank percentile.
void TrajectoriesPicker(CliContext& ctx, const CLI::App& cmd, const TrajArgs& a) {
  const Space& space = ctx.space();
  const Dataset dataset = DatasetOf(cmd, space, a.dataset);
  const SpaceData& data = ctx.DataOf(space);
  const ScoreTable objective = ctx.Ws().ScoresOf(space, dataset, a.proxy.aggregate, a.proxy.proxy_table);
  const fs::path model = a.model.empty() ? ctx.Strategies().picker_controller_model : fs::path(a.model);
  const auto strategy = std::make_unique<PickerControllerStrategy>(model, "controller");
  std::vector<DeviceTrajectory> trajectories;
  for (const std::string& name : DeviceListOf(data, a.devices)) {
    trajectories.push_back(ScoreTrajectory(data, objective, *strategy, name, a.percentile, a.seed, a.probes));
    PrintTrajectory(trajectories.back(), "rank");
  }
  const std::string space_name(space.name());
  const fs::path png(Given(cmd, "--out") ? a.out : fmt::format("docs/controller/{}_trajectories.png", space_name));
  const fs::path dat = fs::path(png).replace_extension(".dat");
  PlotTrajectories(trajectories, "objective_rank_percentile",
                   fmt::format("{} controller trajectories from the same start (star), budget at the {:g}th "
                               "percentile, {} probes",
                               space_name, a.percentile, a.probes),
                   fmt::format("{} rank percentile (1 = best)", objective.name()), dat, png);
  fmt::print(stderr, "wrote {} (data {})\n", png.string(), dat.string());
}

}  // namespace

void AddTrainCommand(CLI::App& app, CliContext& ctx) {
  // ---------------------------------------------------------------- simnas train
  auto args = std::make_shared<TrainArgs>();
  auto* train = app.add_subcommand("train", "Meta-train the controller with PPO on synthetic devices");
  train->add_option("--steps", args->steps, "Environment steps in total (default 500000)")->check(CLI::PositiveNumber);
  train->add_option("--seed", args->seed, "Seed (same seed and settings, same controller)");
  train->add_option("--out", args->out, "Output folder: checkpoint, log, curves, controller.ctl");
  train->add_flag("--resume", args->resume, "Continue the run in --out from its checkpoint");
  train->add_option("--dataset", args->dataset, "Dataset of the proxy table the controller sees");
  AddProxyOptions(train, args->proxy, "Proxy table CSV (default: tables/proxies/<dataset>.csv)",
                  "Proxy aggregate: a recipe of configs/aggregates.json (default: its \"_default\"; freerea = paper, rank, ...)");
  train->add_option("--exclude", args->exclude, "Train devices to leave out (comma-separated; leave-one-out runs)");
  train->add_option("--checkpoint-minutes", args->checkpoint_minutes, "Minutes between checkpoints");
  AddEnvOptions(train, args->env);
  AddPickerEnvOptions(train, args->picker);
  AddPpoOptions(train, args->ppo);
  train->callback([&ctx, args, train] {
    // Settings out of range are bad flags (exit 2), refused before anything is read or trained.
    PpoConfig asked = args->ppo;
    asked.total_steps = args->steps;
    try {
      ValidatePpoConfig(asked);
    } catch (const ParseError& e) {
      throw CLI::ValidationError(e.what());
    }
    if (!(args->checkpoint_minutes > 0)) {
      throw CLI::ValidationError(
          fmt::format("--checkpoint-minutes {}: must be a positive number", args->checkpoint_minutes));
    }
    // `--resume` continues a run; without its checkpoint there is nothing to continue.
    if (const std::filesystem::path ckpt = std::filesystem::path(args->out) / "checkpoint.ckpt";
        args->resume && !std::filesystem::exists(ckpt)) {
      throw Error(fmt::format("--resume: {} holds no checkpoint to continue ({} is missing); drop --resume to start a "
                              "new run",
                              args->out, ckpt.string()));
    }
    if (ResolveProcess(ctx, args->picker.process, "train") == kPickerProcess) {
      TrainPicker(ctx, *train, *args);
      return;
    }
    RefusePickerEnvFlags(*train, "train");
    const SpaceData& data = ctx.DataOf(ctx.space());
    const Dataset dataset = ParseDataset(args->dataset);
    TrainOptions options;
    options.env = MakeEnvConfig(args->env);
    const TrainingInputs in =
        PrepareTraining(ctx, dataset, args->proxy, DeviceListOf(data, args->exclude), options.env.synthetic.fit);
    SetRun(options, *args);
    options.monitor_accuracy = data.Accuracy(Dataset::kCifar100);
    options.provenance = {{"command", CommandLine()},
                          {"dataset", std::string(DatasetName(dataset))},
                          {"aggregate", args->proxy.aggregate.empty()
                                            ? DefaultProxyAggregateName(ctx.Env().configs_dir, ctx.space())
                                            : args->proxy.aggregate},
                          {"train_devices", in.devices},
                          {"simnas_version", SIMNAS_VERSION},
                          {"date", UtcNow()}};
    PrintTrained(TrainController(options, in.tables, in.distribution));
  });

  // ---------------------------------------------------------------- simnas controller
  auto* controller = app.add_subcommand("controller", "Measure controllers on benchmark tables (eval, loo, trajectories)");
  controller->require_subcommand(1);

  auto eval_args = std::make_shared<EvalArgs>();
  auto* eval = controller->add_subcommand("eval", "Feasibility and accuracy of answers vs other strategies, per device "
                                                  "(--process picker: proxy regret of the score)");
  eval->add_option("--process", eval_args->process,
                   "Decision process of the controller: walk or picker (default: the space's)");
  eval->add_option("--model", eval_args->model,
                   "Controller model (default: the space's shipped model of the process, models/controller/<space>/)");
  eval->add_option("--devices", eval_args->devices, "test, train, or comma-separated table names");
  eval->add_option("--percentiles", eval_args->percentiles, "Budgets at these latency percentiles of each device");
  eval->add_option("--seeds", eval_args->seeds, "Seeds per task (0 .. N-1)");
  eval->add_option("--probes", eval_args->probes, "Probe budget of every search");
  eval->add_option("--dataset", eval_args->dataset, "Dataset (proxy table and accuracy)");
  AddProxyOptions(eval, eval_args->proxy, "Proxy table CSV",
                  "Score: a recipe of configs/aggregates.json or a score of the space's own (default: the space's)");
  eval->add_option("--strategies", eval_args->strategies,
                   "Strategies to compare (registry names; default controller,random; --process picker: controller, "
                   "the space's default strategy, random)");
  eval->add_flag("--greedy", eval_args->greedy, "Controller takes its most likely action instead of sampling");
  eval->add_option("--out", eval_args->out, "Also write the Markdown table here (and .json beside it)");
  eval->add_flag("--json", eval_args->json, "Print JSON");
  eval->callback([&ctx, eval_args, eval] {
    if (ResolveProcess(ctx, eval_args->process, "controller eval") == kPickerProcess) {
      EvalPicker(ctx, *eval, *eval_args);
      return;
    }
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    EvalSpec spec = SpecOf(eval_args->percentiles, eval_args->seeds, eval_args->probes, ParseDataset(eval_args->dataset));
    spec.devices = DeviceListOf(data, eval_args->devices);
    const ScoreTable proxy =
        ctx.Ws().ScoresOf(space, spec.dataset, eval_args->proxy.aggregate, eval_args->proxy.proxy_table);
    std::vector<std::unique_ptr<Strategy>> owned;
    std::vector<NamedStrategy> strategies;
    for (const std::string& name : Split(eval_args->strategies, ',')) {
      if (name == "controller") {
        owned.push_back(std::make_unique<ControllerStrategy>(ModelOrDefault(ctx, eval_args->model), fs::path(),
                                                             eval_args->greedy));
      } else {
        owned.push_back(MakeStrategy(name, ctx.Strategies(), space));
      }
      strategies.push_back({name, owned.back().get()});
    }
    const std::vector<EvalRow> rows = EvaluateOnTables(data, proxy, spec, strategies);
    const std::string md = EvalRowsToMarkdown(rows);
    if (!eval_args->out.empty()) {
      WriteFileAtomically(eval_args->out, md);
      WriteFileAtomically(fs::path(eval_args->out).replace_extension(".json"), EvalRowsToJson(rows).dump(2) + "\n");
    }
    if (eval_args->json) {
      PrintJson(EvalRowsToJson(rows));
    } else {
      fmt::print("{} probes, {} seeds, budgets at percentiles {} ({}); accuracy = mean {} test accuracy of feasible "
                 "answers\n\n{}",
                 spec.probes, spec.seeds, eval_args->percentiles, eval_args->devices, DatasetName(spec.dataset), md);
    }
  });

  auto loo_args = std::make_shared<LooArgs>();
  auto* loo = controller->add_subcommand(
      "loo", "Leave-one-train-device-out: train without a device, evaluate on it (resumable; one folder per device)");
  loo->add_option("--steps", loo_args->steps, "Training steps per held-out device");
  loo->add_option("--seed", loo_args->seed, "Training seed");
  loo->add_option("--out", loo_args->out, "Output folder (default out/controller-loo; --process picker: out/controller-loo-<space>)");
  loo->add_option("--devices", loo_args->devices,
                  "Held-out groups: train (each train device alone), or groups separated by ';' of comma-separated "
                  "devices (each group is left out together, e.g. a hardware family)");
  loo->add_option("--percentiles", loo_args->percentiles, "Budgets at these latency percentiles");
  loo->add_option("--seeds", loo_args->seeds, "Search seeds per task");
  loo->add_option("--eval-probes", loo_args->probes, "Probe budget of every evaluation search");
  loo->add_option("--dataset", loo_args->dataset, "Dataset (proxy table and accuracy)");
  loo->add_option("--proxy-table", loo_args->proxy_table, "Proxy table CSV");
  loo->add_option("--aggregate", loo_args->aggregate,
                  "Score: a recipe of configs/aggregates.json or a score of the space's own (default: the space's)");
  loo->add_option("--strategies", loo_args->strategies,
                  "Strategies to compare on each held-out device (default controller,random; --process picker: "
                  "controller, the space's default strategy, random)");
  AddEnvOptions(loo, loo_args->env);
  AddPickerEnvOptions(loo, loo_args->picker);
  AddPpoOptions(loo, loo_args->ppo);
  loo->callback([&ctx, loo_args, loo] {
    if (ResolveProcess(ctx, loo_args->picker.process, "controller loo") == kPickerProcess) {
      LooPicker(ctx, *loo, *loo_args);
      return;
    }
    RefusePickerEnvFlags(*loo, "controller loo");
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    const Dataset dataset = ParseDataset(loo_args->dataset);
    const std::vector<std::vector<std::string>> groups = LeaveOutGroups(data, loo_args->devices);
    for (const auto& group : groups) CheckLeaveOutDevices(data, group);  // every group, before any training
    const ScoreTable proxy = ctx.Ws().ScoresOf(space, dataset, loo_args->aggregate, loo_args->proxy_table);
    LeaveOutSettings settings;
    settings.env = MakeEnvConfig(loo_args->env);
    settings.ppo = loo_args->ppo;
    settings.ppo.total_steps = loo_args->steps;
    settings.seed = loo_args->seed;
    const fs::path root(loo_args->out);
    const std::string command = CommandLine();
    const EvalSpec spec = SpecOf(loo_args->percentiles, loo_args->seeds, loo_args->probes, dataset);
    std::vector<EvalRow> all_rows;
    for (const auto& group : groups) {
      const LeaveOutController trained =
          TrainLeaveOutController(data, proxy, group, settings, root / LeaveOutName(group));
      if (!trained.trained) fmt::print(stderr, "leave-one-out: reusing the finished controller {}\n", trained.model.string());
      const std::vector<EvalRow> rows = EvaluateLeaveOut(data, proxy, group, trained.model, spec,
                                                         Split(loo_args->strategies, ','), ctx.Strategies());
      all_rows.insert(all_rows.end(), rows.begin(), rows.end());
      const std::string md = EvalRowsToMarkdown(all_rows);
      WriteFileAtomically(root / "loo.md", fmt::format("Command: `{}`\n\n{}", command, md));
      WriteFileAtomically(root / "loo.json", EvalRowsToJson(all_rows).dump(2) + "\n");
      fmt::print("{}", EvalRowsToMarkdown(rows));
    }
    fmt::print("\nleave-out over {} groups of train devices:\n{}", groups.size(), EvalRowsToMarkdown(all_rows));
  });

  auto traj_args = std::make_shared<TrajArgs>();
  auto* traj = controller->add_subcommand(
      "trajectories", "Plot the controller's trajectories from the same start cell on several devices (paper Fig. 6)");
  traj->add_option("--process", traj_args->process,
                   "Decision process of the controller: walk or picker (default: the space's)");
  traj->add_option("--model", traj_args->model,
                   "Controller model (default: the space's shipped model of the process, models/controller/<space>/)");
  traj->add_option("--devices", traj_args->devices, "test, train, or comma-separated table names");
  traj->add_option("--percentile", traj_args->percentile, "Budget at this latency percentile of each device");
  traj->add_option("--seed", traj_args->seed, "Seed (start cell for random starts, action sampling)");
  traj->add_option("--probes", traj_args->probes, "Probe budget");
  traj->add_option("--dataset", traj_args->dataset, "Dataset of the proxy table");
  AddProxyOptions(traj, traj_args->proxy, "Proxy table CSV", "");
  traj->add_option("--out", traj_args->out,
                   "PNG to write, the data beside it as .dat (default docs/controller_trajectories.png; --process picker: "
                   "docs/controller/<space>_trajectories.png)");
  traj->callback([&ctx, traj_args, traj] {
    if (ResolveProcess(ctx, traj_args->process, "controller trajectories") == kPickerProcess) {
      TrajectoriesPicker(ctx, *traj, *traj_args);
      return;
    }
    const Space& space = ctx.space();
    const SpaceData& data = ctx.DataOf(space);
    const Dataset dataset = ParseDataset(traj_args->dataset);
    const ScoreTable proxy = ctx.Ws().ScoresOf(space, dataset, "", traj_args->proxy.proxy_table);
    ControllerStrategy strategy(ModelOrDefault(ctx, traj_args->model), fs::path());
    std::vector<DeviceTrajectory> trajectories;
    for (const std::string& name : DeviceListOf(data, traj_args->devices)) {
      trajectories.push_back(WalkTrajectory(data, proxy, strategy, name, dataset, traj_args->percentile,
                                             traj_args->seed, traj_args->probes));
      PrintTrajectory(trajectories.back(), "proxy");
    }
    const fs::path png(traj_args->out);
    const fs::path dat = fs::path(png).replace_extension(".dat");
    PlotTrajectories(trajectories, "proxy_normalized",
                     fmt::format("Controller trajectories from the same start cell (star), budget at the {:g}th "
                                 "percentile, {} probes",
                                 traj_args->percentile, traj_args->probes),
                     "p_FreeREA (normalized)", dat, png);
    fmt::print(stderr, "wrote {} (data {})\n", png.string(), dat.string());
  });
}

}  // namespace simnas::cli
