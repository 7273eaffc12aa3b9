// Speed of the ONNX export of one cell (issue 10; goal < 50 ms after start-up): the
// TinyNetwork built and initialized in LibTorch, described, written as a ModelProto, checked by
// onnx::checker and shape inference, serialized. Each iteration exports the next cell of a
// fixed random list (seed 2024), so the median is over cells. Nothing is written to disk.
//
//   build/bench/export_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <random>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "simnas/space/arch_export.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {
namespace {

const std::vector<Arch>& Cells() {
  static const std::vector<Arch> cells = [] {
    std::mt19937_64 rng(2024);
    std::vector<Arch> v;
    for (int i = 0; i < 40; ++i) v.push_back(Nb201Space().RandomArch(rng));
    return v;
  }();
  return cells;
}

void BM_ExportCell(benchmark::State& state) {
  torch::set_num_threads(1);
  ExportOptions options;
  options.num_classes = static_cast<int>(state.range(0));
  options.input_size = options.num_classes == 120 ? 16 : 32;
  SerializeArchOnnx(Cells()[0], options);  // start-up: schema registry, allocator
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string model = SerializeArchOnnx(Cells()[i++ % Cells().size()], options);
    bytes += static_cast<std::int64_t>(model.size());
    benchmark::DoNotOptimize(model.data());
  }
  state.counters["model_MB"] = benchmark::Counter(static_cast<double>(bytes) / 1e6 / static_cast<double>(i));
}
BENCHMARK(BM_ExportCell)->Arg(10)->Arg(120)->Unit(benchmark::kMillisecond)->Iterations(40);

}  // namespace
}  // namespace simnas

BENCHMARK_MAIN();
