// PPO training and checkpoints with LibTorch (ppo_trainer.h), in the torch plugin.
#include "simnas/controller/ppo_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "simnas/controller/binary_io.h"
#include "simnas/controller/controller_model.h"
#include "simnas/controller/synthetic_env.h"
#include "simnas/core/error.h"
#include "simnas/core/file_lock.h"
#include "simnas/core/threads.h"
#include "simnas/core/file_util.h"
#include "simnas/core/gnuplot.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCheckpointMagic = "SIMNAS-CHECKPOINT 1\n";
constexpr const char* kCsvHeader =
    "iteration,steps,wall_s,steps_per_s,episodes,mean_return,answer_proxy,feasible_rate,answer_percentile,"
    "budget_percentile,answer_accuracy,policy_loss,value_loss,entropy,approx_kl,lr,env_s,policy_s,update_s\n";

// Policy (tanh MLP -> one logit per action) and value (own tanh MLP, or a head on the policy's trunk).
struct PolicyValueNetImpl : torch::nn::Module {
  PolicyValueNetImpl(int obs, int actions, const PpoConfig& c) : shared(c.shared_trunk) {
    int in = obs;
    for (int l = 0; l < c.layers; ++l) {
      actor.push_back(register_module(fmt::format("actor{}", l), torch::nn::Linear(in, c.hidden)));
      if (!shared) critic.push_back(register_module(fmt::format("critic{}", l), torch::nn::Linear(in, c.hidden)));
      in = c.hidden;
    }
    actor_out = register_module("actor_out", torch::nn::Linear(in, actions));
    critic_out = register_module("critic_out", torch::nn::Linear(in, 1));
    torch::NoGradGuard guard;
    auto init = [](torch::nn::Linear& l, double gain) {
      torch::nn::init::orthogonal_(l->weight, gain);
      torch::nn::init::zeros_(l->bias);
    };
    for (auto& l : actor) init(l, std::sqrt(2.0));
    for (auto& l : critic) init(l, std::sqrt(2.0));
    init(actor_out, 0.01);
    init(critic_out, 1.0);
  }
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x) {
    torch::Tensor h = x;
    for (auto& l : actor) h = torch::tanh(l(h));
    torch::Tensor logits = actor_out(h);
    torch::Tensor v = h;
    if (!shared) {
      v = x;
      for (auto& l : critic) v = torch::tanh(l(v));
    }
    return {logits, critic_out(v).squeeze(-1)};
  }
  bool shared;
  std::vector<torch::nn::Linear> actor, critic;
  torch::nn::Linear actor_out{nullptr}, critic_out{nullptr};
};
TORCH_MODULE(PolicyValueNet);

ControllerModel ExportPolicy(PolicyValueNet& net, const DecisionProcess& process, const nlohmann::json& env,
                             const nlohmann::json& provenance) {
  ControllerModel m;
  m.process = process.name;
  if (process.name == kWalkProcess) {
    m.env = EnvConfigFromJson(env);
  } else {
    m.process_config = env;
  }
  m.provenance = provenance;
  auto add = [&](torch::nn::Linear& l) {
    DenseLayer d;
    const torch::Tensor w = l->weight.detach().contiguous();
    const torch::Tensor b = l->bias.detach().contiguous();
    d.out = static_cast<int>(w.size(0));
    d.in = static_cast<int>(w.size(1));
    d.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    d.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    m.layers.push_back(std::move(d));
  };
  for (auto& l : net->actor) add(l);
  add(net->actor_out);
  return m;
}

std::string ArchiveToString(const std::function<void(torch::serialize::OutputArchive&)>& write) {
  torch::serialize::OutputArchive archive;
  write(archive);
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

void ArchiveFromString(const std::string& bytes, const std::function<void(torch::serialize::InputArchive&)>& read) {
  torch::serialize::InputArchive archive;
  std::istringstream is(bytes);
  archive.load_from(is);
  read(archive);
}

struct Checkpoint {
  nlohmann::json header;  // iteration, steps, wall_s, seed, env, ppo
  std::string net, optimizer, env_state, rng, csv;
};

void SaveCheckpoint(const fs::path& path, const Checkpoint& c) {
  std::string out(kCheckpointMagic);
  binary::PutString(out, c.header.dump());
  for (const std::string* s : {&c.net, &c.optimizer, &c.env_state, &c.rng, &c.csv}) binary::PutString(out, *s);
  binary::Put<std::uint64_t>(out, binary::Fnv1a(out.data(), out.size()));
  WriteFileAtomically(path, out);
}

Checkpoint LoadCheckpoint(const fs::path& path) {
  const std::string bytes = ReadFile(path);
  auto corrupt = [&](const std::string& why) {
    return DataError(fmt::format("checkpoint {} is corrupt ({}); delete it to start over", path.string(), why));
  };
  if (bytes.size() < kCheckpointMagic.size() + 8 || bytes.compare(0, kCheckpointMagic.size(), kCheckpointMagic) != 0) {
    throw corrupt("not a simnas checkpoint");
  }
  const char* tail = bytes.data() + bytes.size() - 8;
  if (binary::Get<std::uint64_t>(tail, bytes.data() + bytes.size()) != binary::Fnv1a(bytes.data(), bytes.size() - 8)) {
    throw corrupt("checksum mismatch");
  }
  const char* in = bytes.data() + kCheckpointMagic.size();
  const char* end = bytes.data() + bytes.size() - 8;
  Checkpoint c;
  try {
    c.header = nlohmann::json::parse(binary::GetString(in, end));
    for (std::string* s : {&c.net, &c.optimizer, &c.env_state, &c.rng, &c.csv}) *s = binary::GetString(in, end);
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  if (in != end) throw corrupt("trailing bytes");
  return c;
}

void PlotCurves(const fs::path& csv, const fs::path& png) {
  const std::string f = GnuplotQuote(csv.string());
  const std::string script = fmt::format(
      "set datafile separator ','\nset key off\nset grid\nset xlabel 'environment steps'\nset format x '%.0s%c'\n"
      "set multiplot layout 2,3 title 'Controller training (synthetic train devices; per PPO iteration)'\n"
      "set title 'mean episode return'\nplot {0} using 2:6 every ::1 with lines lw 2\n"
      "set title 'proxy of the answer (normalized)'\nplot {0} using 2:7 every ::1 with lines lw 2\n"
      "set title 'feasible answers (fraction)'\nset yrange [0:1.05]\nplot {0} using 2:8 every ::1 with lines lw 2\n"
      "set autoscale y\nset title 'latency percentile of the answer'\nplot {0} using 2:9 every ::1 with lines lw 2, "
      "{0} using 2:10 every ::1 with lines dt 2 lc rgb 'gray'\n"
      "set title 'CIFAR-100 accuracy of the answer (monitor only)'\nplot {0} using 2:11 every ::1 with lines lw 2\n"
      "set title 'policy entropy'\nplot {0} using 2:14 every ::1 with lines lw 2\n"
      "unset multiplot\n",
      f);
  RenderGnuplot(script, png, 1200, 700);
}

}  // namespace

extern "C" std::vector<float> simnas_torch_checkpoint_policy_logits(const fs::path& checkpoint,
                                                                   const std::vector<float>& observation,
                                                                   int num_actions) {
  const Checkpoint c = LoadCheckpoint(checkpoint);
  PpoConfig ppo;
  try {
    ppo = PpoConfigFromJson(c.header.at("ppo"));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("checkpoint {} is corrupt ({})", checkpoint.string(), e.what()));
  }
  const int d = static_cast<int>(observation.size());
  PolicyValueNet net(d, num_actions, ppo);
  try {
    ArchiveFromString(c.net, [&](torch::serialize::InputArchive& a) { net->load(a); });
  } catch (const std::exception&) {
    throw Error("observation size or actions do not match the checkpoint");
  }
  torch::NoGradGuard no_grad;
  std::vector<float> obs = observation;
  const auto [logits, value] = net->forward(torch::from_blob(obs.data(), {1, d}, torch::kFloat));
  const torch::Tensor l = logits.contiguous();
  return std::vector<float>(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
}

extern "C" TrainResult simnas_torch_train_policy(const PolicyTrainOptions& options, const DecisionProcess& process) {
  const fs::path ckpt_path = options.out / "checkpoint.ckpt";
  const fs::path csv_path = options.out / "train_log.csv";
  const fs::path model_path = options.out / "controller.ctl";
  if (std::error_code ec; fs::create_directories(options.out, ec), ec) {
    throw Error(fmt::format("cannot create --out folder {}: {}", options.out.string(), ec.message()));
  }
  // One training run per folder: a second `train --out DIR` is refused while one runs.
  const FileLock lock(options.out / ".train.lock", "training folder " + options.out.string());

  nlohmann::json env_config = process.config;
  PpoConfig ppo = options.ppo;
  std::uint64_t seed = options.seed;
  std::optional<Checkpoint> resumed;
  if (fs::exists(ckpt_path)) {
    if (!options.resume) {
      throw Error(fmt::format("{} already holds a training run; pass --resume to continue it, or choose another --out",
                              options.out.string()));
    }
    resumed = LoadCheckpoint(ckpt_path);
    const std::string trained_for = CanonicalDecisionProcess(resumed->header.value("process", std::string(kWalkProcess)));
    if (trained_for != process.name) {
      throw DataError(fmt::format("checkpoint {} is a run of {}, not {}; choose another --out", ckpt_path.string(),
                                  DecisionProcessTitle(trained_for), DecisionProcessTitle(process.name)));
    }
    try {
      env_config = resumed->header.at("env");
      ppo = PpoConfigFromJson(resumed->header.at("ppo"));
      seed = resumed->header.at("seed").get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
      throw DataError(fmt::format("checkpoint {} is corrupt ({}); delete it to start over", ckpt_path.string(), e.what()));
    }
    ppo.total_steps = options.ppo.total_steps;  // a resumed run may be extended
  }
  ValidatePpoConfig(ppo);

  // Torch's setting alone does not reach OpenBLAS, whose pool spins on every small GEMM
  // (measured ~25% of training time); ScopedThreads sets both.
  const ScopedThreads thread_scope(ppo.threads);
  torch::manual_seed(seed);
  const int n = ppo.num_envs, t_len = ppo.rollout;
  const std::unique_ptr<VecEnv> env_owner = process.make_env(env_config, n, seed);
  VecEnv& env = *env_owner;
  const int a_n = env.num_actions();
  const int d = env.observation_size();
  PolicyValueNet net(d, a_n, ppo);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(ppo.lr).eps(1e-5));
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ULL + 17);

  std::int64_t steps = 0;
  int iteration = 0;
  double wall_before = 0;
  std::string csv = kCsvHeader;
  if (resumed) {
    try {
      ArchiveFromString(resumed->net, [&](torch::serialize::InputArchive& a) { net->load(a); });
      ArchiveFromString(resumed->optimizer, [&](torch::serialize::InputArchive& a) { optimizer.load(a); });
      env.LoadState(resumed->env_state);
      std::istringstream is(resumed->rng);
      is >> rng;
      if (!is) throw DataError("bad generator state");
      steps = resumed->header.at("steps").get<std::int64_t>();
      iteration = resumed->header.at("iteration").get<int>();
      wall_before = resumed->header.at("wall_s").get<double>();
      csv = resumed->csv;
    } catch (const std::exception& e) {
      throw DataError(fmt::format("checkpoint {} is corrupt or from other settings ({}); delete it to start over",
                                  ckpt_path.string(), e.what()));
    }
  }

  nlohmann::json provenance = options.provenance;
  provenance["seed"] = seed;
  provenance["ppo"] = PpoConfigToJson(ppo);
  WriteFileAtomically(options.out / "command.txt",
                      provenance.value("command", std::string("(not recorded)")) + "\n");

  auto save = [&](double wall_s) {
    Checkpoint c;
    c.header = {{"iteration", iteration}, {"steps", steps},     {"wall_s", wall_s},
                {"seed", seed},           {"env", env_config}, {"ppo", PpoConfigToJson(ppo)}};
    if (process.name != kWalkProcess) c.header["process"] = process.name;
    c.net = ArchiveToString([&](torch::serialize::OutputArchive& a) { net->save(a); });
    c.optimizer = ArchiveToString([&](torch::serialize::OutputArchive& a) { optimizer.save(a); });
    c.env_state = env.SaveState();
    std::ostringstream os;
    os << rng;
    c.rng = os.str();
    c.csv = csv;
    WriteFileAtomically(csv_path, csv);
    nlohmann::json prov = provenance;
    prov["steps"] = steps;
    SaveControllerModel(model_path, ExportPolicy(net, process, env_config, prov));
    SaveCheckpoint(ckpt_path, c);
  };

  const std::size_t batch = static_cast<std::size_t>(n) * static_cast<std::size_t>(t_len);
  std::vector<float> obs((batch + static_cast<std::size_t>(n)) * static_cast<std::size_t>(d));
  std::vector<std::uint8_t> mask((batch + static_cast<std::size_t>(n)) * static_cast<std::size_t>(a_n));
  std::vector<std::int64_t> actions(batch);
  std::vector<float> logp(batch), values(batch + static_cast<std::size_t>(n)), rewards(batch), dones(batch),
      adv(batch), returns(batch);
  std::vector<int> step_actions(static_cast<std::size_t>(n));
  std::vector<std::uint8_t> step_dones(static_cast<std::size_t>(n));
  std::vector<std::int64_t> perm(batch);

  // Updates take whole batches: the run ends at the first multiple of the batch at or past the
  // steps asked for, said here and counted by the progress line (the learning rate is annealed
  // over the steps asked for, as it always was).
  const std::int64_t trained_steps = TrainedSteps(ppo);
  if (options.progress && trained_steps != ppo.total_steps && steps < trained_steps) {
    spdlog::info("train: {} steps asked for, {} trained: PPO updates on whole batches of --envs {} x --rollout {} "
                 "steps",
                 ppo.total_steps, trained_steps, ppo.num_envs, ppo.rollout);
  }
  Progress progress("train", trained_steps, steps, "steps");
  const auto start = std::chrono::steady_clock::now();
  auto last_save = start;
  const std::int64_t start_steps = steps;
  double last_return = 0;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  while (steps < ppo.total_steps) {
    if (InterruptRequested()) {
      save(wall_before + elapsed());
      if (options.progress) progress.Finish("interrupted");
      ThrowIfInterrupted("training", "run the same command with --resume to continue");
    }
    const double frac = std::min(1.0, static_cast<double>(steps) / static_cast<double>(ppo.total_steps));
    const double lr = ppo.anneal_lr ? ppo.lr * std::max(1.0 - frac, 0.05) : ppo.lr;
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

    // Rollout: all envs stepped together; sampling in C++.
    using Clock = std::chrono::steady_clock;
    double env_s = 0, policy_s = 0;
    {
      torch::NoGradGuard no_grad;
      for (int t = 0; t <= t_len; ++t) {
        const std::size_t row = static_cast<std::size_t>(t) * static_cast<std::size_t>(n);
        float* o = obs.data() + row * static_cast<std::size_t>(d);
        std::uint8_t* m = mask.data() + row * static_cast<std::size_t>(a_n);
        auto t0 = Clock::now();
        env.Observe(o, m);
        auto t1 = Clock::now();
        env_s += std::chrono::duration<double>(t1 - t0).count();
        const auto [logits, value] = net->forward(torch::from_blob(o, {n, d}, torch::kFloat));
        const float* v = value.data_ptr<float>();
        std::copy(v, v + n, values.begin() + static_cast<std::ptrdiff_t>(row));
        if (t == t_len) break;
        const torch::Tensor lc = logits.contiguous();
        const float* lg = lc.data_ptr<float>();
        std::uniform_real_distribution<double> u01(0.0, 1.0);
        for (int i = 0; i < n; ++i) {
          const float* l = lg + static_cast<std::size_t>(i) * static_cast<std::size_t>(a_n);
          const std::uint8_t* mi = m + static_cast<std::size_t>(i) * static_cast<std::size_t>(a_n);
          const double u = u01(rng);
          const int chosen = SampleAction(l, mi, a_n, u, &logp[row + static_cast<std::size_t>(i)]);
          step_actions[static_cast<std::size_t>(i)] = chosen;
          actions[row + static_cast<std::size_t>(i)] = chosen;
        }
        auto t2 = Clock::now();
        policy_s += std::chrono::duration<double>(t2 - t1).count();
        env.Step(step_actions.data(), rewards.data() + row, step_dones.data());
        env_s += std::chrono::duration<double>(Clock::now() - t2).count();
        for (int i = 0; i < n; ++i) dones[row + static_cast<std::size_t>(i)] = step_dones[static_cast<std::size_t>(i)];
      }
    }

    const auto update_start = Clock::now();
    // GAE.
    for (int i = 0; i < n; ++i) {
      double gae = 0;
      for (int t = t_len - 1; t >= 0; --t) {
        const std::size_t k = static_cast<std::size_t>(t) * static_cast<std::size_t>(n) + static_cast<std::size_t>(i);
        const double nonterminal = 1.0 - dones[k];
        const double delta = rewards[k] + ppo.gamma * values[k + static_cast<std::size_t>(n)] * nonterminal - values[k];
        gae = delta + ppo.gamma * ppo.gae_lambda * nonterminal * gae;
        adv[k] = static_cast<float>(gae);
        returns[k] = static_cast<float>(gae + values[k]);
      }
    }

    // PPO epochs over shuffled minibatches.
    const auto b = static_cast<std::int64_t>(batch);
    const torch::Tensor obs_t = torch::from_blob(obs.data(), {b, d}, torch::kFloat);
    const torch::Tensor mask_t = torch::from_blob(mask.data(), {b, a_n}, torch::kUInt8).to(torch::kBool);
    const torch::Tensor act_t = torch::from_blob(actions.data(), {b}, torch::kInt64);
    const torch::Tensor logp_t = torch::from_blob(logp.data(), {b}, torch::kFloat);
    const torch::Tensor adv_t = torch::from_blob(adv.data(), {b}, torch::kFloat);
    const torch::Tensor ret_t = torch::from_blob(returns.data(), {b}, torch::kFloat);
    double sum_pg = 0, sum_v = 0, sum_ent = 0, sum_kl = 0;
    int updates = 0;
    const std::int64_t mb = std::min<std::int64_t>(ppo.minibatch, b);
    for (int epoch = 0; epoch < ppo.epochs; ++epoch) {
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      for (std::int64_t s = 0; s + mb <= b; s += mb) {
        const torch::Tensor idx = torch::from_blob(perm.data() + s, {mb}, torch::kInt64);
        const torch::Tensor o = obs_t.index_select(0, idx);
        const torch::Tensor mk = mask_t.index_select(0, idx);
        const torch::Tensor a = act_t.index_select(0, idx);
        const torch::Tensor old_logp = logp_t.index_select(0, idx);
        torch::Tensor ad = adv_t.index_select(0, idx);
        ad = (ad - ad.mean()) / (ad.std() + 1e-8);
        const torch::Tensor ret = ret_t.index_select(0, idx);
        const auto [logits, value] = net->forward(o);
        const torch::Tensor masked = logits.masked_fill(mk.logical_not(), -1e9);
        const torch::Tensor log_probs = torch::log_softmax(masked, 1);
        const torch::Tensor new_logp = log_probs.gather(1, a.unsqueeze(1)).squeeze(1);
        const torch::Tensor entropy = -(log_probs.exp() * log_probs).sum(1).mean();
        const torch::Tensor log_ratio = new_logp - old_logp;
        const torch::Tensor ratio = log_ratio.exp();
        const torch::Tensor pg = -torch::min(ratio * ad, torch::clamp(ratio, 1.0 - ppo.clip, 1.0 + ppo.clip) * ad).mean();
        const torch::Tensor vloss = 0.5 * (value - ret).pow(2).mean();
        const torch::Tensor loss = pg + ppo.value_coef * vloss - ppo.entropy_coef * entropy;
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(net->parameters(), ppo.max_grad_norm);
        optimizer.step();
        sum_pg += pg.item<double>();
        sum_v += vloss.item<double>();
        sum_ent += entropy.item<double>();
        sum_kl += ((ratio - 1) - log_ratio).mean().item<double>();
        ++updates;
      }
    }
    const double update_s = std::chrono::duration<double>(Clock::now() - update_start).count();
    steps += b;
    ++iteration;

    // Statistics of the episodes that ended in this iteration.
    const std::vector<EpisodeStats> finished = env.TakeFinished();
    double ret_sum = 0, proxy_sum = 0, pct_sum = 0, budget_sum = 0, acc_sum = 0;
    int feasible = 0;
    for (const EpisodeStats& e : finished) {
      ret_sum += e.episode_return;
      budget_sum += e.budget_percentile;
      if (!e.feasible) continue;
      ++feasible;
      proxy_sum += e.answer_proxy;
      pct_sum += e.answer_percentile;
      if (options.monitor_accuracy != nullptr) {
        acc_sum += (*options.monitor_accuracy)[static_cast<std::size_t>(e.answer_index)];
      }
    }
    const double episodes = std::max<double>(1.0, static_cast<double>(finished.size()));
    const double feas = std::max(1, feasible);
    last_return = ret_sum / episodes;
    const double now = elapsed();
    const double rate = static_cast<double>(steps - start_steps) / std::max(now, 1e-9);
    const double u = std::max(1, updates);
    csv += fmt::format("{},{},{:.2f},{:.0f},{},{:.5f},{:.5f},{:.4f},{:.4f},{:.4f},{:.3f},{:.5f},{:.5f},{:.4f},{:.5f},{:.6g},"
                       "{:.4f},{:.4f},{:.4f}\n",
                       iteration, steps, wall_before + now, rate, finished.size(), last_return, proxy_sum / feas,
                       feasible / episodes, pct_sum / feas, budget_sum / episodes,
                       options.monitor_accuracy != nullptr ? acc_sum / feas : 0.0, sum_pg / u, sum_v / u, sum_ent / u,
                       sum_kl / u, lr, env_s, policy_s, update_s);
    if (options.progress) {
      progress.Advance(b, fmt::format("return {:.3f}  proxy {:.3f}  feasible {:.0f}%  latency pct {:.2f}", last_return,
                                      proxy_sum / feas, 100.0 * feasible / episodes, pct_sum / feas));
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save).count() >=
        options.checkpoint_minutes * 60.0) {
      save(wall_before + elapsed());
      last_save = std::chrono::steady_clock::now();
    }
  }
  const double seconds = elapsed();
  save(wall_before + seconds);
  if (options.progress) progress.Finish();
  if (options.plot) PlotCurves(csv_path, options.out / "train_curves.png");
  TrainResult result;
  result.steps = steps;
  result.seconds = seconds;
  result.steps_per_second = static_cast<double>(steps - start_steps) / std::max(seconds, 1e-9);
  result.model = model_path;
  result.final_mean_return = last_return;
  return result;
}

}  // namespace simnas
