#include "simnas/devices/local_device.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/stats.h"
#include "simnas/core/strings.h"
#include "simnas/network/tiny_network.h"

namespace simnas {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string MachineDescription() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::string cpu = "unknown-cpu";
  std::ifstream info("/proc/cpuinfo");
  std::string line;
  while (std::getline(info, line)) {
    if (line.rfind("model name", 0) == 0) {
      if (const auto colon = line.find(':'); colon != std::string::npos) cpu = std::string(Trim(line.substr(colon + 1)));
      break;
    }
  }
  return fmt::format("{}|{}|{} cores|torch {}", host, cpu, std::thread::hardware_concurrency(), TORCH_VERSION);
}

// OpenBLAS keeps its own thread pool, whose idle workers spin; torch::set_num_threads does
// not reach it. Left alone, a spinning worker competes with the timed thread.
void SetBlasThreads(int threads) {
  using SetThreads = void (*)(int);
  static const auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set != nullptr) set(threads);
}

// Sets torch's and the BLAS's thread counts for a scope; restores torch's on exit.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : saved_(torch::get_num_threads()) {
    torch::set_num_threads(threads);
    SetBlasThreads(threads);
  }
  ~ThreadScope() {
    torch::set_num_threads(saved_);
    SetBlasThreads(saved_);
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
};

Cell AllNone() { return Cell(); }

std::filesystem::path ReferenceCachePath() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = (xdg != nullptr && *xdg != '\0') ? std::filesystem::path(xdg)
                                     : (home != nullptr)             ? std::filesystem::path(home) / ".cache"
                                                                     : std::filesystem::temp_directory_path();
  return base / "simnas" / "local-reference.json";
}

}  // namespace

struct LocalDevice::Reference {
  TinyNetwork net{nullptr};
  torch::Tensor input;
};

LocalOptions ParseLocalOptions(const std::string& text) {
  LocalOptions o;
  if (Trim(text).empty()) return o;
  for (const std::string& item : Split(text, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      throw ParseError(fmt::format("local device option {} is not key=value", Quoted(item)));
    }
    const std::string key(Trim(item.substr(0, eq)));
    const std::string value(Trim(item.substr(eq + 1)));
    const auto as_int = [&](int min, int max) {
      const auto v = ParseInt(value);
      if (!v || *v < min || *v > max) {
        throw ParseError(fmt::format("local device option {}={} must be an integer in [{}, {}]", key, Quoted(value),
                                     min, max));
      }
      return static_cast<int>(*v);
    };
    const auto as_positive = [&] {
      const auto v = ParseDouble(value);
      if (!v || *v <= 0) throw ParseError(fmt::format("local device option {}={} must be > 0", key, Quoted(value)));
      return *v;
    };
    if (key == "threads") o.threads = as_int(1, 256);
    else if (key == "batch") o.batch = as_int(1, 4096);
    else if (key == "input") o.input_size = as_int(8, 1024);
    else if (key == "classes") o.num_classes = as_int(1, 100000);
    else if (key == "warmup") o.warmup = as_int(0, 10000);
    else if (key == "repeats") o.repeats = as_int(3, 100000);
    else if (key == "tries") o.tries = as_int(1, 100);
    else if (key == "max_spread") o.max_spread = as_positive();
    else if (key == "quiet") o.quiet_tolerance = as_positive();
    else if (key == "max_wait") o.max_wait_s = as_positive();
    else if (key == "min_time") o.min_time_ms = as_positive();
    else if (key == "window") o.reference_window_s = as_positive();
    else {
      throw ParseError(fmt::format("unknown local device option {}; expected threads, batch, input, classes, warmup, "
                                   "repeats, min_time, max_spread, tries, quiet, max_wait or window",
                                   Quoted(key)));
    }
  }
  return o;
}

LocalDevice::LocalDevice(LocalOptions options) : options_(options), machine_(MachineDescription()) {}

std::string LocalDevice::Spec() const {
  return fmt::format("local:threads={},batch={},input={}", options_.threads, options_.batch, options_.input_size);
}

std::string LocalDevice::Fingerprint() const {
  return fmt::format("local|{}|threads={}|batch={}|input={}|classes={}", machine_, options_.threads, options_.batch,
                     options_.input_size, options_.num_classes);
}

namespace {
double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

void LocalDevice::LoadRememberedReference() {
  if (!options_.remember_reference) return;
  try {
    const nlohmann::json j = nlohmann::json::parse(ReadFile(ReferenceCachePath()), nullptr, false);
    if (!j.is_object() || !j.contains(Fingerprint())) return;
    const nlohmann::json& e = j[Fingerprint()];
    // {"ms": fastest, "time": when it was seen}; anything else (an older format) is ignored.
    if (!e.is_object() || !e.contains("ms") || !e.contains("time") || !e["ms"].is_number() || !e["time"].is_number()) {
      return;
    }
    const double ms = e["ms"].get<double>();
    const double time = e["time"].get<double>();
    if (ms > 0 && time <= UnixSeconds()) reference_history_.emplace_back(time, ms);
  } catch (const Error&) {
    // No cache yet: this process learns the speed itself.
  }
}

void LocalDevice::SaveRememberedReference() {
  if (!options_.remember_reference || QuietReference() <= 0) return;
  const auto fastest = std::min_element(reference_history_.begin(), reference_history_.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
  if (*fastest == saved_reference_) return;  // the file already says so: no write per measurement
  nlohmann::json j = nlohmann::json::object();
  try {
    j = nlohmann::json::parse(ReadFile(ReferenceCachePath()), nullptr, false);
    if (!j.is_object()) j = nlohmann::json::object();
  } catch (const Error&) {
  }
  j[Fingerprint()] = {{"ms", fastest->second}, {"time", fastest->first}};
  try {
    WriteFileAtomically(ReferenceCachePath(), j.dump(2));
    saved_reference_ = *fastest;
  } catch (const Error&) {
    // A read-only home only costs the cross-process memory of the reference speed.
  }
}

double LocalDevice::QuietReference() {
  const double oldest = UnixSeconds() - options_.reference_window_s;
  // Keep at least the newest timing: the window never empties while measuring.
  while (reference_history_.size() > 1 && reference_history_.front().first < oldest) reference_history_.pop_front();
  double best = 0;
  for (const auto& [time, ms] : reference_history_) best = best > 0 ? std::min(best, ms) : ms;
  return best;
}

double LocalDevice::TimeReference(int runs) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    const torch::Tensor out = reference_->net->forward(reference_->input);
    best = std::min(best, MsSince(t0));
  }
  // The history keeps only timings that could become the window's minimum.
  const double now = UnixSeconds();
  while (!reference_history_.empty() && reference_history_.back().second >= best) reference_history_.pop_back();
  reference_history_.emplace_back(now, best);
  return best;
}

Measurement LocalDevice::Measure(const Cell& cell) {
  ThreadScope threads(options_.threads);
  torch::InferenceMode inference;
  NetworkOptions net_options;
  net_options.num_classes = options_.num_classes;
  torch::manual_seed(0);
  const torch::Tensor input = torch::randn({options_.batch, 3, options_.input_size, options_.input_size});
  if (!reference_) {
    reference_ = std::make_shared<Reference>();
    reference_->net = TinyNetwork(AllNone(), net_options);
    reference_->net->eval();
    reference_->input = input;
    // Bring the core up to speed, then learn how fast the reference can run.
    const auto t0 = Clock::now();
    while (MsSince(t0) < 300) reference_->net->forward(input);
    LoadRememberedReference();
    TimeReference(20);
  }
  TinyNetwork net(cell, net_options);
  net->eval();
  double best_spread = 0;
  for (int attempt = 0; attempt < options_.tries; ++attempt) {
    std::vector<double> warm;
    for (int i = 0; i < std::max(options_.warmup, 1); ++i) {
      const auto t0 = Clock::now();
      net->forward(input);
      warm.push_back(MsSince(t0));
    }
    // Enough runs for `min_time_ms` of timed work: small networks get more repeats.
    const int repeats = std::clamp(static_cast<int>(std::ceil(options_.min_time_ms / Median(warm))),
                                   options_.repeats, std::max(options_.repeats, 2000));
    const int block = std::max(3, std::min(10, repeats / 3));
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(repeats));
    const auto started = Clock::now();
    while (static_cast<int>(times.size()) < repeats) {
      if (InterruptRequested()) throw Interrupted(fmt::format("interrupted while measuring {} on {}", cell.ToString(), Spec()));
      const double ref = TimeReference(3);
      const double quiet = QuietReference();
      if (ref > quiet * (1 + options_.quiet_tolerance)) {
        if (MsSince(started) > 1000 * options_.max_wait_s) {
          throw DeviceError(fmt::format("device {}: the machine stayed busy for {:.0f} s (reference network {:.3f} ms, "
                                        "{:.0f}% slower than its best {:.3f} ms); no quiet moment to measure {}",
                                        Spec(), options_.max_wait_s, ref, 100 * (ref / quiet - 1), quiet,
                                        cell.ToString()));
        }
        for (int i = 0; i < 3; ++i) net->forward(input);  // stay busy: idling slows the core down
        continue;
      }
      const int n = std::min(block, repeats - static_cast<int>(times.size()));
      std::vector<double> block_times;
      for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        const torch::Tensor out = net->forward(input);
        block_times.push_back(MsSince(t0));
      }
      // The block counts only if the machine was still quiet when it ended.
      const double after = TimeReference(3);
      if (after <= QuietReference() * (1 + options_.quiet_tolerance)) {
        times.insert(times.end(), block_times.begin(), block_times.end());
      }
    }
    const double median = Median(times);
    const double spread = (Percentile(times, 75) - Percentile(times, 25)) / median;
    if (spread <= options_.max_spread) {
      SaveRememberedReference();
      return Measurement{median, spread, repeats};
    }
    best_spread = attempt == 0 ? spread : std::min(best_spread, spread);
  }
  throw DeviceError(fmt::format("device {}: timings of {} stayed too noisy (relative IQR {:.1f}% > {:.1f}% after {} "
                                "tries); is the machine busy?",
                                Spec(), cell.ToString(), 100 * best_spread, 100 * options_.max_spread,
                                options_.tries));
}

}  // namespace simnas
