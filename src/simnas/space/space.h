// A search space as a definition: what an architecture is (one choice per position), how it is
// written, which data describes it (a numbered set of architectures, device latency tables, an
// accuracy table when one exists), which network it stands for, and the features latency models
// read. Everything above this layer (devices, probe sessions, latency models, strategies, the
// controller, the benchmark, the CLI) works through this interface and never names a concrete
// space; each space lives in its own folder (spaces/<name>/) and is listed once in the registry
// (registry.h).
//
// Pure virtual: what every space must give. Virtual with a body: optional capabilities, whose
// default answers "not supported" (an empty list, or a DataError/ParseError naming the space),
// or a generic rule over positions and choices that a space may replace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "simnas/data/data_dir.h"
#include "simnas/data/dataset.h"
#include "simnas/data/fetch.h"
#include "simnas/data/latency_table.h"
#include "simnas/network/network_description.h"
#include "simnas/space/arch.h"
#include "simnas/space/score_table.h"

namespace simnas {

class CandidateSet;
class SpaceData;

// A device a search space offers of its own, besides its device tables: a latency model of a
// real device that ships with the space's data and answers architectures no table numbers (a
// per-operator lookup table measured on a phone). It answers from files: nothing is timed.
// The device factory (devices/device_factory.h) opens it as `table:NAME`.
class SpaceDevice {
 public:
  virtual ~SpaceDevice() = default;
  // Latency of `arch` (ms), an architecture of the space that opened the device. Throws
  // DeviceError in one line naming the architecture and why when the device cannot answer it.
  virtual double LatencyMs(const Arch& arch) const = 0;
};

// What a network is built for: the dataset fixes the classes and, unless the architecture fixes
// its own resolution, the input size.
struct NetworkOptions {
  Dataset dataset = Dataset::kCifar10;
  int num_classes = 0;     // 0: the dataset's
  int input_size = 0;      // 0: the architecture's own resolution, else the dataset's
  std::uint64_t seed = 0;  // weights
  // Batch-norm statistics and affine parameters drawn away from identity (a test comparing
  // runtimes then exercises the inference form of every batch norm).
  bool random_batch_norms = false;
};

// The network the training-free proxies score (proxies/proxies.h): its description with the
// proxies' initialization, the layers whose outputs are the zoo's layer features (in order), and
// the seed of the zoo's random draws.
struct ProxyNetwork {
  NetworkDescription description;
  std::vector<int> feature_layers;
  std::uint64_t seed = 0;
};

class Space {
 public:
  virtual ~Space() = default;

  // --- identity -------------------------------------------------------------------------
  // The name --space takes, and the one files and store rows are keyed by ("nb201").
  virtual std::string_view name() const = 0;
  // One line for lists and reports ("NAS-Bench-201 / NATS-Bench topology cells").
  virtual std::string_view title() const = 0;
  // What one architecture is called in messages ("cell", "network").
  virtual std::string_view arch_noun() const = 0;

  // --- positions and choices --------------------------------------------------------------
  virtual int positions() const = 0;
  // How many choices position `p` has (at most 255).
  virtual int choices(int position) const = 0;
  // Names, for feature lists and messages ("edge 2<-1", "nor_conv_3x3").
  virtual std::string PositionName(int position) const;
  virtual std::string ChoiceName(int position, int choice) const;
  // The choice that carries no feature in the one-hot encoding (one-hot indicators of a position
  // would otherwise sum to the fixed part). Default 0.
  virtual int ReferenceChoice(int position) const;
  // Puts `choices` in canonical form (positions the architecture does not use get a fixed
  // value), so that equal architectures compare equal. Default: nothing to do.
  virtual void Canonicalize(Arch::Choices& choices) const;
  // The canonical architecture of `choices`. Throws ParseError naming the position when a
  // choice is out of range or the count is wrong.
  Arch MakeArch(Arch::Choices c) const;
  // Number of distinct architectures when every combination of choices is one (product of the
  // choices), or nullopt when larger than 2^62 or when canonical forms collapse combinations.
  virtual std::optional<std::int64_t> SpaceSize() const;

  // --- text -----------------------------------------------------------------------------
  // Parses the space's one-argument text form. Throws ParseError naming what was wrong where.
  virtual Arch Parse(std::string_view text) const = 0;
  // The canonical text form (Parse(Format(a)) == a).
  virtual std::string Format(const Arch& arch) const = 0;

  // --- moves (generic over positions; a space may replace them) -------------------------------
  // A uniformly random combination of choices, canonicalized.
  virtual Arch RandomArch(std::mt19937_64& rng) const;
  // A random single-position change: a uniformly random position, then a uniformly random
  // other choice there (canonicalized; may equal `arch` when the change is to an unused slot).
  virtual Arch Mutate(const Arch& arch, std::mt19937_64& rng) const;
  // Every architecture one position away, in (position, choice) order, duplicates removed.
  virtual std::vector<Arch> Neighbours(const Arch& arch) const;

  // --- data -------------------------------------------------------------------------------
  // The files this space reads from the data folder (the fetch manifest is their union).
  virtual std::vector<DataFileSpec> DataFiles() const;
  // The space's numbered architectures (NATS-Bench's 15,625; HELP's 5,000 sampled networks),
  // read from the data folder. Throws DataError naming the file.
  virtual CandidateSet LoadNumbering(const DataDir& dir) const = 0;
  // The device latency tables the data folder holds for this space, sorted.
  virtual std::vector<std::string> DeviceTableNames(const DataDir& dir) const = 0;
  // One device's table, one latency per numbered architecture. Throws DataError naming the file
  // (or the known names, for an unknown device).
  virtual LatencyTable LoadDeviceTable(const DataDir& dir, const std::string& device) const = 0;
  // The fixed test devices of the train/test split: evaluation only, nothing is fitted on them.
  virtual std::vector<std::string> TestDevices() const = 0;
  bool IsTestDevice(std::string_view device) const;
  // Datasets this space's networks are built for (the first is the default).
  virtual std::vector<Dataset> Datasets() const = 0;
  // Datasets with a measured accuracy per numbered architecture (empty: none; evaluation only).
  virtual std::vector<Dataset> AccuracyDatasets() const;
  // Measured test accuracy (percent) per numbered architecture. Default: DataError.
  virtual std::vector<double> LoadAccuracy(const DataDir& dir, Dataset dataset) const;

  // --- devices of its own ---------------------------------------------------------------
  // Devices the space offers besides its device tables (SpaceDevice), sorted. They may be test
  // devices (TestDevices). Default: none.
  virtual std::vector<std::string> OwnDeviceNames() const;
  // The device `name`, its files read from `data`'s folder, or nullptr when the space offers no
  // device of that name (the default for every name). Throws DataError naming a missing or
  // malformed file.
  virtual std::unique_ptr<SpaceDevice> OpenOwnDevice(const std::string& name, const SpaceData& data) const;

  // --- scores of its own ------------------------------------------------------------------
  // Scores the space computes per architecture, stand-ins for accuracy a search may maximize
  // (e.g. "predicted-accuracy", a predictor's output: never a measured accuracy). The first is
  // the space's default score. Default: none (the searches use the proxy tables).
  virtual std::vector<std::string> ScoreSources() const;
  // The name reports print for score `source` (e.g. "predicted accuracy"). Default: `source`.
  virtual std::string ScoreName(std::string_view source) const;
  // Score `source` of every architecture of `candidates` (one value per candidate, in its order;
  // higher is better), reading what it needs from `data`'s folder. Throws ParseError naming the
  // space's sources for an unknown `source` (the default for every name), DataError naming a
  // missing or malformed file.
  virtual std::vector<double> Scores(std::string_view source, const CandidateSet& candidates,
                                     const SpaceData& data) const;

  // --- networks ---------------------------------------------------------------------------
  // The network of `arch`. Throws ParseError for options the space cannot build.
  virtual NetworkDescription Describe(const Arch& arch, const NetworkOptions& options) const = 0;
  // The input resolution `arch` is built for with `dataset` (architectures that carry their own
  // resolution return it). Default: the dataset's.
  virtual int InputSize(const Arch& arch, Dataset dataset) const;
  // Why this space's networks cannot take `input_size` pixels per side, or "" when they can.
  // Default: outside [4, 1024].
  virtual std::string InputSizeProblem(int input_size) const;
  // Whether each architecture carries its own input resolution (InputSize answers it whatever
  // the dataset), so that live devices time each at its own size unless told one. Default: false.
  virtual bool ArchitecturesCarryInputSize() const;

  // --- search -------------------------------------------------------------------------------
  // The strategy a search uses without --strategy (a name of strategies/registry.h), chosen
  // from the space's benchmark. Default: "safe-climb".
  virtual std::string_view DefaultStrategy() const;
  // The controller's decision process `simnas train` and `simnas controller` use without
  // --process (controller/controller_model.h): "walk" (the edit walk, for a space whose tables
  // answer every architecture and which has moves) or "picker" (the candidate picker over the
  // numbered candidates). Default: "picker".
  virtual std::string_view DefaultControllerProcess() const;

  // --- training-free proxies and scores ------------------------------------------------------
  // The network the proxies score for `dataset`, initialized as FreeREA does (Kaiming normal
  // fan_out for convolutions and the classifier, classifier bias 0, batch-norm scale 1 and shift
  // 0) from `seed`, so that its values depend on (seed, architecture) only. Default: throws
  // ParseError naming the space (no training-free proxies).
  virtual ProxyNetwork DescribeForProxies(const Arch& arch, Dataset dataset, std::uint64_t seed) const;
  // A faster evaluator of the same proxy values: the name of its entry point in the torch plugin
  // (proxies/proxies.h: ProxyBackendEntry), or "" (default: the evaluator over DescribeForProxies).
  virtual std::string_view FastProxyEntry() const;
  // A score the space computes for each of `candidates` without a table (e.g. "macs": the
  // multiply-adds of each network), in their order, or nullopt when it has none named `source`.
  // Default: none.
  virtual std::optional<ScoreTable> ComputedScores(const CandidateSet& candidates, std::string_view source) const;

  // --- synthetic devices (synthetic/) -------------------------------------------------------
  // The options `synthetic:SEED` takes without any (SyntheticOptions::Parse's text; what
  // "default" means there). Default: "paper" (Sim-is-More's: one Gaussian per choice's cost,
  // that cost shared by every position).
  virtual std::string_view DefaultSyntheticOptions() const;
  // The stage of every position (0, 1, ...): the mixture sampler scales the costs of one stage
  // together (e.g. the layers of one output width). Default: every position its own stage.
  virtual std::vector<int> PositionStages() const;
  // Whether some architecture has a position whose work a compiler could drop (its output is
  // unused or its input is structurally zero). Default: false.
  virtual bool HasDeadPositions() const;
  // 1 for each position of `arch` that does work, 0 for a dead one (synthetic devices with
  // live=P count only the live ones). Default: every position 1.
  virtual std::vector<std::uint8_t> LivePositions(const Arch& arch) const;

  // --- features for latency models ----------------------------------------------------------
  // Encodings by name; the first is the default. Default: {"onehot"}.
  virtual std::vector<std::string> EncodingNames() const;
  // x = [1, then one indicator per (position, choice other than the reference choice)] for
  // "onehot"; a space adds its own encodings by replacing both functions. Throws ParseError
  // naming the known encodings for an unknown name.
  virtual int FeatureCount(std::string_view encoding) const;
  virtual Eigen::VectorXd Encode(const Arch& arch, std::string_view encoding) const;

 protected:
  // Checks that `arch` is of this space (Error naming both spaces otherwise).
  void CheckSpace(const Arch& arch) const;
};

}  // namespace simnas
