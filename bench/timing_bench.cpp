// The live devices' noise band, measured (docs/results.md, "This CPU through OpenCV DNN"): how
// long the timing harness takes to measure cells on `opencv` with the strict default band (quiet
// 10%, 90 s window) and with the looser band the benchmark uses (quiet 20%, 30 s window), and
// how much the machine's own speed drifts while nothing else changes.
//
// - BM_OpenCvCells/<quiet %>/<window s>: each iteration measures the next of 8 fixed random
//   cells (seed 7) from a fresh device (no remembered quiet speed), so the reported time per
//   iteration is the wall time of one measurement, waiting included. Counters: `refused` =
//   measurements the harness refused (busy machine / spread), `spread` = mean relative IQR of
//   the accepted ones, `ms_cell0` = the first cell's latency (compare the two bands).
// - BM_Drift: the all-`none` cell (the harness's reference network) measured with the band
//   off (quiet 1000%) and few repeats, over and over for ~60 s; counters give the fastest,
//   median and slowest of these short medians, i.e. how far the quiet speed itself drifts.
//
// This benchmark times this machine: its figures move with the load; run it on an idle
// machine (`build/bench/timing_bench`, ~2-6 min).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "simnas/core/error.h"
#include "simnas/devices/opencv_device.h"
#include "simnas/search_space/arch.h"
#include "simnas/search_space/cell.h"

namespace simnas {
namespace {

const std::vector<Cell>& Cells() {
  static const std::vector<Cell> cells = [] {
    std::mt19937_64 rng(7);
    std::vector<Cell> v;
    for (int i = 0; i < 8; ++i) v.push_back(RandomCell(rng));
    return v;
  }();
  return cells;
}

// A cache folder of this process (exported models), removed at exit.
const std::filesystem::path& CacheDir() {
  static const struct Dir {
    std::filesystem::path path;
    Dir() {
      path = std::filesystem::temp_directory_path() /
             ("simnas-timing-bench-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } dir;
  return dir.path;
}

LocalOptions Options(double quiet, double window_s) {
  LocalOptions options;
  options.cache_dir = CacheDir();
  options.remember_reference = false;
  options.timing.quiet_tolerance = quiet;
  options.timing.reference_window_s = window_s;
  return options;
}

void BM_OpenCvCells(benchmark::State& state) {
  const double quiet = static_cast<double>(state.range(0)) / 100.0;
  const double window = static_cast<double>(state.range(1));
  std::size_t i = 0;
  int refused = 0, accepted = 0;
  double spread_sum = 0, cell0 = 0;
  std::string first_refusal;
  for (auto _ : state) {
    const Cell& cell = Cells()[i % Cells().size()];
    OpenCvDevice device(Options(quiet, window));
    try {
      const Measurement m = device.Measure(Arch(cell));
      ++accepted;
      spread_sum += m.spread;
      if (i == 0) cell0 = m.latency_ms;
    } catch (const DeviceError& e) {
      if (refused++ == 0) first_refusal = e.what();
    }
    ++i;
  }
  state.counters["refused"] = refused;
  state.counters["spread"] = accepted > 0 ? spread_sum / accepted : 0;
  state.counters["ms_cell0"] = cell0;
  if (!first_refusal.empty()) state.SetLabel("first refusal: " + first_refusal);
}
BENCHMARK(BM_OpenCvCells)
    ->Args({10, 90})
    ->Args({20, 30})
    ->Iterations(8)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

void BM_Drift(benchmark::State& state) {
  LocalOptions options = Options(10.0, 30);
  options.timing.repeats = 10;
  options.timing.min_time_ms = 20;
  options.timing.tolerance = 10.0;
  OpenCvDevice device(options);
  const Arch reference(Cell::Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
  std::vector<double> medians;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
      medians.push_back(device.Measure(reference).latency_ms);
    }
  }
  std::sort(medians.begin(), medians.end());
  if (medians.empty()) return;
  state.counters["fastest_ms"] = medians.front();
  state.counters["median_ms"] = medians[medians.size() / 2];
  state.counters["slowest_ms"] = medians.back();
  state.counters["drift"] = medians.back() / medians.front() - 1.0;
  state.counters["timings"] = static_cast<double>(medians.size());
}
BENCHMARK(BM_Drift)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace simnas

BENCHMARK_MAIN();
