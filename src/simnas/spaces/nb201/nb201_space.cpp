#include "simnas/spaces/nb201/nb201_space.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/plugin.h"
#include "simnas/space/candidates.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/spaces/nb201/cell_structure.h"
#include "simnas/spaces/nb201/nb201_network.h"

namespace simnas {
namespace {

constexpr std::array<std::string_view, 6> kNb201TestDevices = {"titan_rtx_256", "gold_6226", "fpga",
                                                               "pixel2",        "raspi4",    "eyeriss"};

Arch::Choices ChoicesOf(const Cell& cell) {
  Arch::Choices c(kNumEdges);
  for (int e = 0; e < kNumEdges; ++e) c[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(cell.op(e));
  return c;
}

class Nb201 final : public Space {
 public:
  std::string_view name() const override { return "nb201"; }
  std::string_view title() const override { return "NAS-Bench-201 / NATS-Bench topology cells (15,625)"; }
  std::string_view arch_noun() const override { return "cell"; }
  int positions() const override { return kNumEdges; }
  int choices(int /*position*/) const override { return kNumOps; }
  std::string PositionName(int p) const override {
    const EdgeEnds& e = kEdgeEnds.at(static_cast<std::size_t>(p));
    return fmt::format("edge {}<-{}", e.to, e.from);
  }
  std::string ChoiceName(int /*p*/, int c) const override { return std::string(OpName(static_cast<Op>(c))); }

  std::vector<DataFileSpec> DataFiles() const override { return Nb201DataFiles(); }
  Arch Parse(std::string_view text) const override { return ToArch(Cell::Parse(text)); }
  std::string Format(const Arch& arch) const override { return CellOf(arch).ToString(); }
  // NATS-Bench's own draw (a uniform cell code), which the benchmark's seeded runs were made with.
  Arch RandomArch(std::mt19937_64& rng) const override { return ToArch(RandomCell(rng)); }

  CandidateSet LoadNumbering(const DataDir& dir) const override {
    return LoadSearchSpace(dir.ArchIndexFile()).candidates();
  }
  std::vector<std::string> DeviceTableNames(const DataDir& dir) const override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir.HelpDir(), ec)) {
      const std::filesystem::path& p = entry.path();
      if (p.extension() == ".pt" && p.stem() != "str_arch2idx") names.push_back(p.stem().string());
    }
    if (ec) throw DataError(fmt::format("{}: {} (run `simnas data fetch`)", dir.HelpDir().string(), ec.message()));
    std::sort(names.begin(), names.end());
    return names;
  }
  LatencyTable LoadDeviceTable(const DataDir& dir, const std::string& device) const override {
    const std::filesystem::path path = dir.HelpLatencyFile(device);
    if (!std::filesystem::exists(path)) {
      throw DataError(fmt::format("no nb201 latency table for device '{}' ({} does not exist; `simnas devices` lists "
                                  "the known ones)",
                                  device, path.string()));
    }
    return LoadPickledLatencyTable(path, kNumCells);
  }
  std::vector<std::string> TestDevices() const override {
    return std::vector<std::string>(kNb201TestDevices.begin(), kNb201TestDevices.end());
  }
  std::vector<Dataset> Datasets() const override {
    return {Dataset::kCifar10, Dataset::kCifar100, Dataset::kImageNet16_120};
  }
  std::vector<Dataset> AccuracyDatasets() const override { return Datasets(); }
  // Chosen from the benchmark (docs/benchmark.md).
  std::string_view DefaultStrategy() const override { return "safe-climb"; }
  // The TinyNetwork evaluator of proxies/proxies.h (its kFastProxyEntry): FreeREA's three proxies
  // with SkipScore, several initializations and batches, the committed tables' values.
  std::string_view FastProxyEntry() const override { return "simnas_torch_new_proxy_evaluator"; }
  // Every cell is in the tables and single-edge edits are moves: the edit walk.
  std::string_view DefaultControllerProcess() const override { return "walk"; }
  std::vector<double> LoadAccuracy(const DataDir& dir, Dataset dataset) const override {
    return LoadAccuracyTable(dir.AccuracyFile(dataset), dataset).test_accuracy;
  }

  // The TinyNetwork (tiny_network.h) with LibTorch's default initialization drawn from
  // options.seed, batch norms in inference form, described by the torch plugin.
  NetworkDescription Describe(const Arch& arch, const NetworkOptions& options) const override {
    if (options.random_batch_norms) throw ParseError("nb201 networks are described with batch norms at identity only");
    const int classes = options.num_classes > 0 ? options.num_classes : NumClasses(options.dataset);
    const int input = options.input_size > 0 ? options.input_size : simnas::InputSize(options.dataset);
    return SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_describe_cell)(CellOf(arch), classes, input, options.seed);
  }
  // Two stride-2 reductions, each adding a convolution's output to a pooled shortcut: the sizes
  // meet only when each reduction halves an even size.
  std::string InputSizeProblem(int n) const override {
    return n < 4 || n > 1024 || n % 4 != 0
               ? "NAS-Bench-201 networks take a multiple of 4 from 4 to 1024 pixels per side (two stride-2 reductions)"
               : "";
  }

  // An edge is dead when its output reaches no path to the cell's output or its input is
  // structurally zero (cell_structure.h).
  bool HasDeadPositions() const override { return true; }
  std::vector<std::uint8_t> LivePositions(const Arch& arch) const override {
    const std::uint8_t mask = LiveEdgeMasks()[static_cast<std::size_t>(CellOf(arch).Code())];
    std::vector<std::uint8_t> live(kNumEdges);
    for (int e = 0; e < kNumEdges; ++e) live[static_cast<std::size_t>(e)] = (mask >> e) & 1u;
    return live;
  }

  std::vector<std::string> EncodingNames() const override { return {"op-counts", "onehot", "edge-onehot"}; }
  int FeatureCount(std::string_view encoding) const override {
    if (encoding == "op-counts") return kNumOps;
    return Space::FeatureCount(encoding == "edge-onehot" ? "onehot" : encoding);
  }
  Eigen::VectorXd Encode(const Arch& arch, std::string_view encoding) const override {
    if (encoding == "op-counts") {
      const std::array<int, kNumOps> counts = CellOf(arch).OpCounts();
      Eigen::VectorXd x(kNumOps);
      x(0) = 1;
      for (int op = 1; op < kNumOps; ++op) x(op) = counts[static_cast<std::size_t>(op)];
      return x;
    }
    return Space::Encode(arch, encoding == "edge-onehot" ? "onehot" : encoding);
  }
};

}  // namespace

const Space& Nb201Space() {
  static const Nb201 space;
  return space;
}

Arch ToArch(const Cell& cell) { return Arch(Nb201Space(), ChoicesOf(cell)); }

Cell CellOf(const Arch& arch) {
  if (arch.empty() || &arch.space() != &Nb201Space()) {
    throw Error(fmt::format("{} is not a NAS-Bench-201 cell ({} space)", arch.ToString(),
                            arch.empty() ? "no" : arch.space_name()));
  }
  std::array<Op, kNumEdges> ops{};
  for (int e = 0; e < kNumEdges; ++e) ops[static_cast<std::size_t>(e)] = static_cast<Op>(arch.choice(e));
  return Cell(ops);
}

}  // namespace simnas
