#include "simnas/proxies/proxy_table_builder.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/interrupt.h"
#include "simnas/core/progress.h"
#include "simnas/core/shipped_files.h"
#include "simnas/core/strings.h"
#include "simnas/space/space.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

std::string ProxyCommand(Dataset dataset, const ProxyOptions& o, const ProxyShard& shard,
                         const std::string& reuse_naswot, const std::string& reuse_freerea,
                         const std::string& reuse_features) {
  std::string command = fmt::format("simnas proxies --all --dataset {} --seed {} --inits {} --batches {}",
                                    DatasetName(dataset), o.seed, o.inits, o.batches);
  if (!shard.whole()) command += fmt::format(" --shard {}/{}", shard.k, shard.n);
  if (o.reference_implementation) command += " --reference";
  if (!reuse_naswot.empty()) command += " --reuse-naswot " + reuse_naswot;
  if (!reuse_freerea.empty()) command += " --reuse-freerea " + reuse_freerea;
  if (!reuse_features.empty()) command += " --reuse-features " + reuse_features;
  if (!o.zoo) command += " --no-zoo";
  return command;
}

// The provenance keys that must agree for rows to be combined (resume, merge).
// "zoo" is absent from a table without the zoo's columns (v1).
const std::vector<std::string> kIdentityKeys = {"dataset", "seed", "inits", "batches", "implementation", "zoo"};

std::string ZooDescription(const ProxyOptions& o) {
  return fmt::format("2 mini-batches of {} images with labels, first initialization", o.zoo_images);
}

// NASWOT does not read the classifier, and the classifier's weights are drawn last, so the
// NASWOT values of two datasets with the same input size, seed, inits and batches are
// identical: a table can take them from another dataset's table (--reuse-naswot).
// The same holds for the zoo's classifier-free columns (--reuse-features), which also need the
// same zoo settings. `flag` names the option in messages.
void CheckReusableAcrossDatasets(const ProxyTable& source, Dataset dataset,
                                 const std::map<std::string, std::string>& ours, const fs::path& path,
                                 const std::string& flag, const std::vector<std::string>& keys) {
  const auto ds = source.provenance.find("dataset");
  if (ds == source.provenance.end()) throw DataError(fmt::format("{}: no '# dataset:' line", path.string()));
  if (InputSize(ParseDataset(ds->second)) != InputSize(dataset)) {
    throw DataError(fmt::format("{} {}: {} networks take {}x{} inputs, {} networks {}x{}", flag, path.string(),
                                ds->second, InputSize(ParseDataset(ds->second)), InputSize(ParseDataset(ds->second)),
                                DatasetName(dataset), InputSize(dataset), InputSize(dataset)));
  }
  for (const std::string& key : keys) {
    const auto a = source.provenance.find(key);
    if (a == source.provenance.end() || a->second != ours.at(key)) {
      throw DataError(fmt::format("{} {}: its {} is {}, this table's is {}", flag, path.string(), key,
                                  a == source.provenance.end() ? "(none)" : Quoted(a->second), Quoted(ours.at(key))));
    }
  }
}

std::map<std::string, std::string> Provenance(Dataset dataset, const ProxyOptions& o, const ProxyShard& shard,
                                              const std::string& reuse_naswot, const std::string& reuse_freerea,
                                              const std::string& reuse_features) {
  std::map<std::string, std::string> p;
  p["command"] = ProxyCommand(dataset, o, shard, reuse_naswot, reuse_freerea, reuse_features);
  p["dataset"] = std::string(DatasetName(dataset));
  p["seed"] = std::to_string(o.seed);
  p["inits"] = std::to_string(o.inits);
  p["batches"] = std::to_string(o.batches);
  p["implementation"] = o.reference_implementation ? "reference" : "fast";
  p["version"] = fmt::format("simnas {}", SIMNAS_VERSION);
  p["images"] = dataset == Dataset::kImageNet16_120
                    ? "data/cifar10-sample (CIFAR-10 training images), downsampled 2x2 to 16x16"
                    : "data/cifar10-sample (CIFAR-10 training images)";
  p["method"] =
      "FreeREA: NASWOT (train-mode BatchNorm, 64 images), LogSynflow (no BatchNorm, |w|, all-ones input), "
      "SkipScore; Kaiming-normal fan_out init";
  if (o.zoo) {
    p["zoo"] = ZooDescription(o);
    p["method"] += "; zoo (src/simnas/proxies/zoo.h): MeCo, ZiCo, SynFlow, GradNorm, SNIP, jacov, AZ-NAS, params, FLOPs";
  }
  if (!reuse_freerea.empty()) {
    p["freerea"] = fmt::format("naswot, logsynflow and skip copied from {}", reuse_freerea);
  }
  if (!reuse_features.empty()) {
    p["features"] = fmt::format(
        "meco, az_expressivity, az_progressivity and az_trainability taken from {} where it has the cell "
        "(identical: they read no classifier)",
        reuse_features);
  }
  if (!shard.whole()) p["shard"] = fmt::format("{}/{}", shard.k, shard.n);
  if (!reuse_naswot.empty()) {
    p["naswot"] = fmt::format("taken from {} (identical: NASWOT does not read the classifier)", reuse_naswot);
  }
  return p;
}

void CheckSameIdentity(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b,
                       const std::string& what) {
  for (const std::string& key : kIdentityKeys) {
    const auto ia = a.find(key);
    const auto ib = b.find(key);
    const std::string va = ia == a.end() ? "(none)" : ia->second;
    const std::string vb = ib == b.end() ? "(none)" : ib->second;
    if (va != vb) throw DataError(fmt::format("{}: {} is {} but {} is expected", what, key, Quoted(vb), Quoted(va)));
  }
}

void CheckSameShard(const std::map<std::string, std::string>& ours, const std::map<std::string, std::string>& theirs,
                    const fs::path& path) {
  const auto a = ours.find("shard");
  const auto b = theirs.find("shard");
  const std::string va = a == ours.end() ? "" : a->second;
  const std::string vb = b == theirs.end() ? "" : b->second;
  if (va != vb) {
    throw DataError(fmt::format("{} was computed for shard {}, not {}", path.string(), Quoted(vb),
                                Quoted(va.empty() ? "(whole)" : va)));
  }
}

// The provenance of a table merged from `files` shard files: the command without its --shard.
void MarkMerged(ProxyTable& merged, std::size_t files) {
  std::string command = merged.provenance["command"];
  if (const auto at = command.find(" --shard"); at != std::string::npos) {
    const auto end = command.find(' ', at + 8 + 1);
    command.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  merged.provenance["command"] = command;
  merged.provenance["merged"] = fmt::format("{} shard files, by simnas proxies --merge", files);
}

ProxyTable EmptyTable(Dataset dataset, bool zoo) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProxyTable t;
  t.dataset = dataset;
  t.naswot.assign(kNumCells, nan);
  t.logsynflow.assign(kNumCells, nan);
  t.skip.assign(kNumCells, nan);
  if (zoo) {
    for (const std::string_view name : kZooProxyNames) t.zoo[std::string(name)].assign(kNumCells, nan);
  }
  return t;
}

// A row is there when all its columns are.
bool HasRow(const ProxyTable& t, int index) {
  const auto i = static_cast<std::size_t>(index);
  if (std::isnan(t.skip[i])) return false;
  for (const auto& [name, column] : t.zoo) {
    if (std::isnan(column[i])) return false;
  }
  return true;
}

// A result travelling from a rank to rank 0: index, the three values, the zoo's (NaN without
// the zoo), rank, seconds.
struct CellResult {
  double index;
  double naswot;
  double logsynflow;
  double skip;
  std::array<double, kZooProxyNames.size()> zoo;
  double rank;
  double seconds;
};

void SetRow(ProxyTable& t, std::size_t i, double naswot, double logsynflow, double skip, const double* zoo) {
  t.naswot[i] = naswot;
  t.logsynflow[i] = logsynflow;
  t.skip[i] = skip;
  if (zoo == nullptr) return;
  for (std::size_t z = 0; z < kZooProxyNames.size(); ++z) {
    if (auto it = t.zoo.find(std::string(kZooProxyNames[z])); it != t.zoo.end()) it->second[i] = zoo[z];
  }
}

std::string Encode(const CellResult& r) {
  std::string s(sizeof(CellResult), '\0');
  std::memcpy(s.data(), &r, sizeof(CellResult));
  return s;
}

CellResult Decode(const std::string& s) {
  if (s.size() != sizeof(CellResult)) throw Error(fmt::format("proxy result of {} bytes received", s.size()));
  CellResult r;
  std::memcpy(&r, s.data(), sizeof(CellResult));
  return r;
}

// <out>.log: its first line names the options (JSON of the identity keys and the shard), then
// one row per cell in full precision: "index naswot logsynflow skip", then the zoo's values in
// kZooProxyNames order when the table has them.
fs::path LogPath(const fs::path& out) { return fs::path(out.string() + ".log"); }

std::string LogHeader(const std::map<std::string, std::string>& provenance) {
  nlohmann::json j = nlohmann::json::object();
  for (const std::string& key : kIdentityKeys) {
    if (const auto it = provenance.find(key); it != provenance.end()) j[key] = it->second;
  }
  j["shard"] = provenance.count("shard") ? provenance.at("shard") : "";
  return "# simnas proxy log v1 " + j.dump();
}

// Adds the rows of an existing log to `table`; a torn last line (a kill) is skipped.
void ReadLog(const fs::path& path, const std::map<std::string, std::string>& provenance, ProxyTable& table) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return;
  const std::string prefix = "# simnas proxy log v1 ";
  const nlohmann::json j = line.rfind(prefix, 0) == 0 ? nlohmann::json::parse(line.substr(prefix.size()), nullptr, false)
                                                       : nlohmann::json();
  if (!j.is_object()) throw DataError(fmt::format("{}:1: not a simnas proxy log", path.string()));
  std::map<std::string, std::string> theirs;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string() && !value.get<std::string>().empty()) theirs[key] = value.get<std::string>();
  }
  CheckSameIdentity(provenance, theirs, fmt::format("{} (to resume)", path.string()));
  CheckSameShard(provenance, theirs, path);
  const std::size_t width = 4 + (table.zoo.empty() ? 0 : kZooProxyNames.size());
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::vector<std::string> fields;
    for (std::string field; row >> field;) fields.push_back(field);
    if (fields.size() != width) continue;  // a torn line
    const auto index = ParseInt(fields[0]);
    std::vector<double> values(width - 1);
    bool ok = index && *index >= 0 && *index < kNumCells;
    for (std::size_t f = 0; f + 1 < width && ok; ++f) {
      char* end = nullptr;
      values[f] = std::strtod(fields[f + 1].c_str(), &end);
      ok = end != nullptr && *end == '\0';
    }
    if (!ok) continue;
    SetRow(table, static_cast<std::size_t>(*index), values[0], values[1], values[2],
           width > 4 ? values.data() + 3 : nullptr);
  }
}

// Appends rows to <out>.log, each flushed to the system at once (it survives a killed process).
class ResultLog {
 public:
  ResultLog(const fs::path& path, const std::string& header) : path_(path) {
    RequireNotShipped(path);
    const bool fresh = !fs::exists(path) || fs::file_size(path) == 0;
    file_ = std::fopen(path.c_str(), "a");
    if (file_ == nullptr) throw Error(fmt::format("cannot append to {}", path.string()));
    if (fresh) Write(header + "\n");
  }
  ~ResultLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  ResultLog(const ResultLog&) = delete;
  ResultLog& operator=(const ResultLog&) = delete;
  void Append(const CellResult& r, bool zoo) {
    std::string row = fmt::format("{} {:.17g} {:.17g} {:.17g}", static_cast<int>(r.index), r.naswot, r.logsynflow, r.skip);
    for (std::size_t z = 0; zoo && z < r.zoo.size(); ++z) row += fmt::format(" {:.17g}", r.zoo[z]);
    Write(row + "\n");
  }
  void Remove() {
    std::fclose(file_);
    file_ = nullptr;
    fs::remove(path_);
  }

 private:
  void Write(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0) {
      throw Error(fmt::format("cannot append to {}", path_.string()));
    }
  }
  fs::path path_;
  std::FILE* file_ = nullptr;
};

// The cell of numbered architecture `index` (the numbering is NAS-Bench-201's).
Cell CellAt(const CandidateSet& numbering, int index) { return CellOf(numbering.at(index)); }

// Relative cost of scoring a cell (3x3 convolutions dominate), for ordering work.
double ProxyCellCost(const Cell& cell) {
  const std::array<int, kNumOps> counts = cell.OpCounts();
  return 1.0 + 9.0 * counts[static_cast<std::size_t>(Op::kConv3x3)] +
         1.0 * counts[static_cast<std::size_t>(Op::kConv1x1)] +
         0.5 * counts[static_cast<std::size_t>(Op::kAvgPool3x3)];
}

}  // namespace

ProxyShard ParseProxyShard(const std::string& text) {
  const std::vector<std::string> parts = Split(text, '/');
  const auto k = parts.size() == 2 ? ParseInt(parts[0]) : std::nullopt;
  const auto n = parts.size() == 2 ? ParseInt(parts[1]) : std::nullopt;
  if (!k || !n || *n < 1 || *n > kNumCells || *k < 1 || *k > *n) {
    throw ParseError(fmt::format("--shard {}: expected k/n with 1 <= k <= n (e.g. 1/2)", Quoted(text)));
  }
  return ProxyShard{static_cast<int>(*k), static_cast<int>(*n)};
}

ProxyTableBuild BuildProxyTable(const ProxyTableJob& job, const fs::path& cifar_sample, const CandidateSet& numbering,
                                Cluster& cluster) {
  const Dataset dataset = job.dataset;
  const ProxyShard shard = job.shard;
  const ProxyOptions& options = job.options;
  fs::path out = job.out ? *job.out : ProxyTableFile(job.tables_dir, dataset);
  if (!job.out && !shard.whole()) out += fmt::format(".shard-{}-of-{}", shard.k, shard.n);
  if (cluster.leader()) RequireNotShipped(out);  // before anything is read or computed
  const std::string reuse = job.reuse_naswot ? job.reuse_naswot->string() : "";
  const std::string reuse_freerea = job.reuse_freerea ? job.reuse_freerea->string() : "";
  const std::string reuse_features = job.reuse_features ? job.reuse_features->string() : "";
  if (job.reuse_features && !options.zoo) {
    throw ParseError("--reuse-features takes zoo columns from another table: it cannot go with --no-zoo");
  }
  if (job.reuse_freerea && !options.zoo) {
    throw ParseError("--reuse-freerea adds the zoo's columns to a table: it cannot go with --no-zoo");
  }
  if (job.reuse_freerea && job.reuse_naswot) throw ParseError("--reuse-freerea and --reuse-naswot exclude each other");
  std::map<std::string, std::string> provenance =
      Provenance(dataset, options, shard, reuse, reuse_freerea, reuse_features);
  provenance["command"] += job.sample_note;
  // Every rank computes with the same images (and NASWOT source) or none starts.
  RequireSameFile(cluster, "the CIFAR sample images", cifar_sample);
  std::optional<ProxyTable> naswot_source;
  if (job.reuse_naswot) {
    RequireSameFile(cluster, "the --reuse-naswot table", *job.reuse_naswot);
    naswot_source = LoadPartialProxyTableOfAnyDataset(*job.reuse_naswot);  // another dataset's, by design
    CheckReusableAcrossDatasets(*naswot_source, dataset, provenance, *job.reuse_naswot, "--reuse-naswot",
                                {"seed", "inits", "batches", "implementation"});
  }
  // The FreeREA columns of an existing table of this dataset, computed with the same options.
  std::optional<ProxyTable> freerea_source;
  if (job.reuse_freerea) {
    RequireSameFile(cluster, "the --reuse-freerea table", *job.reuse_freerea);
    freerea_source = LoadPartialProxyTable(*job.reuse_freerea, dataset);
    std::map<std::string, std::string> ours = provenance;
    ours.erase("zoo");
    std::map<std::string, std::string> theirs = freerea_source->provenance;
    theirs.erase("zoo");
    CheckSameIdentity(ours, theirs, fmt::format("--reuse-freerea {}", job.reuse_freerea->string()));
    if (const auto it = theirs.find("naswot"); it != theirs.end()) provenance["naswot"] = it->second;
  }

  // The classifier-free zoo columns of another dataset's table: the ones this build asks for.
  std::optional<ProxyTable> features_source;
  const ZooMask copied_mask = static_cast<ZooMask>(ClassifierFreeZooProxies() & options.zoo_proxies);
  std::vector<std::string> copied;
  for (int k = 0; k < kZooProxies; ++k) {
    if ((copied_mask & ZooBit(k)) != 0) copied.emplace_back(kZooProxyNames[static_cast<std::size_t>(k)]);
  }
  if (job.reuse_features) {
    RequireSameFile(cluster, "the --reuse-features table", *job.reuse_features);
    features_source = LoadPartialProxyTableOfAnyDataset(*job.reuse_features);
    CheckReusableAcrossDatasets(*features_source, dataset, provenance, *job.reuse_features, "--reuse-features",
                                {"seed", "inits", "batches", "implementation", "zoo"});
  }
  // Whether the features source has cell i's copied columns (NaN = missing).
  const auto has_features = [&](std::size_t i) {
    if (!features_source) return false;
    return std::all_of(copied.begin(), copied.end(), [&](const std::string& name) {
      const auto it = features_source->zoo.find(name);
      return it != features_source->zoo.end() && !std::isnan(it->second[i]);
    });
  };
  const auto copy_features = [&](ZooValues& z, std::size_t i) {
    for (const std::string& name : copied) z[name] = features_source->zoo.at(name)[i];
  };
  const ZooMask computed_with_features = static_cast<ZooMask>(options.zoo_proxies & ~copied_mask);
  // The zoo of one cell: the classifier-free columns copied when the source has them.
  const auto zoo_of = [&](ProxyEvaluator& evaluator, const Cell& cell, std::size_t i) {
    if (!has_features(i)) return evaluator.Zoo(cell);
    ZooValues z = evaluator.Zoo(cell, computed_with_features);
    copy_features(z, i);
    return z;
  };

  ProxyTableBuild build;
  build.out = out;
  build.ranks = cluster.size();
  ProxyTable table = EmptyTable(dataset, options.zoo);
  std::vector<int> todo;
  std::string todo_bytes;
  if (cluster.leader()) {
    if (fs::exists(out)) {
      const ProxyTable saved = LoadPartialProxyTable(out, dataset);
      CheckSameIdentity(provenance, saved.provenance, fmt::format("{} (to resume)", out.string()));
      CheckSameShard(provenance, saved.provenance, out);
      for (int index = 0; index < kNumCells; ++index) {
        const auto i = static_cast<std::size_t>(index);
        if (!HasRow(saved, index)) continue;
        std::array<double, kZooProxyNames.size()> zoo{};
        for (std::size_t z = 0; z < zoo.size() && options.zoo; ++z) {
          zoo[z] = saved.zoo.at(std::string(kZooProxyNames[z]))[i];
        }
        SetRow(table, i, saved.naswot[i], saved.logsynflow[i], saved.skip[i], options.zoo ? zoo.data() : nullptr);
      }
    }
    if (fs::exists(LogPath(out))) ReadLog(LogPath(out), provenance, table);
    table.provenance = provenance;
    std::vector<int> order = job.rows;
    if (order.empty()) {
      for (int index = 0; index < kNumCells; ++index) order.push_back(index);
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
      const int index = order[k];
      if (index < 0 || index >= kNumCells) {
        throw ParseError(fmt::format("row {} is not an index of the {} cells", index, kNumCells));
      }
      if (!shard.Contains(static_cast<int>(k))) continue;
      ++build.cells;
      if (!HasRow(table, index)) todo.push_back(index);
    }
    build.resumed = build.cells - static_cast<std::int64_t>(todo.size());
    // Most expensive first: the last items handed out are the cheapest, so ranks end together.
    std::stable_sort(todo.begin(), todo.end(), [&](int a, int b) {
      return ProxyCellCost(CellAt(numbering, a)) > ProxyCellCost(CellAt(numbering, b));
    });
    todo_bytes.assign(todo.size() * sizeof(int), '\0');
    if (!todo.empty()) std::memcpy(todo_bytes.data(), todo.data(), todo_bytes.size());
  }
  if (cluster.size() > 1) {
    todo_bytes = cluster.Broadcast(todo_bytes);
    todo.assign(todo_bytes.size() / sizeof(int), 0);
    if (!todo.empty()) std::memcpy(todo.data(), todo_bytes.data(), todo_bytes.size());
  }

  // Rank 0 keeps the results: the table in memory, the log on disk, the partial table saved
  // now and then (all inside the handler, whose calls never overlap).
  std::optional<ResultLog> log;
  std::optional<Progress> progress;
  using Clock = std::chrono::steady_clock;
  auto last_save = Clock::now();
  build.rank_cells.assign(static_cast<std::size_t>(cluster.size()), 0);
  build.rank_seconds.assign(static_cast<std::size_t>(cluster.size()), 0.0);
  if (cluster.leader()) {
    log.emplace(LogPath(out), LogHeader(provenance));
    progress.emplace(fmt::format("proxies {}{}{}", DatasetName(dataset),
                                 shard.whole() ? "" : fmt::format(" shard {}/{}", shard.k, shard.n),
                                 cluster.size() > 1 ? fmt::format(" on {} ranks", cluster.size()) : ""),
                     build.cells, build.resumed, "cells");
  }
  const auto on_result = [&](const std::string& bytes) {
    const CellResult r = Decode(bytes);
    const auto i = static_cast<std::size_t>(r.index);
    log->Append(r, options.zoo);
    SetRow(table, i, r.naswot, r.logsynflow, r.skip, options.zoo ? r.zoo.data() : nullptr);
    ++build.computed;
    const auto rank = static_cast<std::size_t>(r.rank);
    if (rank < build.rank_cells.size()) {
      ++build.rank_cells[rank];
      build.rank_seconds[rank] += r.seconds;
    }
    progress->Advance(1);
    if (std::chrono::duration<double>(Clock::now() - last_save).count() >= job.save_every) {
      SaveProxyTable(out, table);
      last_save = Clock::now();
    }
  };

  ProxyEvaluator evaluator(cifar_sample, options);
  // Everything but the copied columns, for cells computed whole (Evaluate) whose features are copied.
  std::optional<ProxyEvaluator> without_features;
  if (features_source) {
    ProxyOptions o = options;
    o.zoo_proxies = computed_with_features;
    without_features.emplace(cifar_sample, o);
  }
  // One cell per request: the most expensive cells cost ~10x the mean, so a chunk of them would
  // keep one rank busy while the others run out; a rank asks for its next cell when it starts
  // one, so the round trip is hidden, and it holds at most one cell not yet started.
  std::unique_ptr<WorkQueue> queue =
      cluster.Distribute(static_cast<std::int64_t>(todo.size()), 1, ResultHandler(on_result));
  while (const std::optional<std::int64_t> item = queue->Next()) {
    if (InterruptRequested()) {
      // One process: nothing else touches the table, save it whole. With ranks, the log holds
      // every result rank 0 received.
      if (cluster.size() == 1) SaveProxyTable(out, table);
      ThrowIfInterrupted("simnas proxies --all");
    }
    const int index = todo[static_cast<std::size_t>(*item)];
    const auto i = static_cast<std::size_t>(index);
    const Cell cell = CellAt(numbering, index);
    const auto start = Clock::now();
    ProxyValues v;
    if (freerea_source && !std::isnan(freerea_source->skip[i])) {
      v.naswot = freerea_source->naswot[i];
      v.logsynflow = freerea_source->logsynflow[i];
      v.skip = freerea_source->skip[i];
      v.zoo = zoo_of(evaluator, cell, i);
    } else if (naswot_source && !std::isnan(naswot_source->naswot[i])) {
      v.naswot = naswot_source->naswot[i];
      for (int init = 0; init < options.inits; ++init) v.logsynflow += evaluator.LogSynflow(cell, init);
      v.logsynflow /= options.inits;
      v.skip = SkipScore(cell);
      if (options.zoo) v.zoo = zoo_of(evaluator, cell, i);
    } else if (has_features(i)) {
      v = without_features->Evaluate(cell);
      copy_features(*v.zoo, i);
    } else {
      v = evaluator.Evaluate(cell);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    CellResult r{static_cast<double>(index), v.naswot, v.logsynflow, v.skip, {}, static_cast<double>(cluster.rank()),
                 seconds};
    r.zoo.fill(std::numeric_limits<double>::quiet_NaN());
    if (v.zoo) r.zoo = v.zoo->values;
    queue->Post(Encode(r));
  }
  queue->Finish();
  if (cluster.leader()) {
    SaveProxyTable(out, table);
    log->Remove();
    progress->Finish();
  }
  return build;
}

ProxyTable MergeProxyTables(const std::vector<fs::path>& files) {
  std::optional<ProxyTable> merged;
  std::vector<int> source(kNumCells, -1);
  for (std::size_t f = 0; f < files.size(); ++f) {
    const fs::path& path = files[f];
    // The dataset is read from the file itself.
    ProxyTable part = LoadPartialProxyTable(path, Dataset::kCifar10);
    const auto ds = part.provenance.find("dataset");
    if (ds == part.provenance.end()) throw DataError(fmt::format("{}: no '# dataset:' line", path.string()));
    part.dataset = ParseDataset(ds->second);
    if (!merged) {
      merged = EmptyTable(part.dataset, !part.zoo.empty());
      merged->provenance = part.provenance;
    }
    CheckSameIdentity(merged->provenance, part.provenance, path.string());
    for (int index = 0; index < kNumCells; ++index) {
      const auto i = static_cast<std::size_t>(index);
      if (!HasRow(part, index)) continue;
      bool differs = merged->naswot[i] != part.naswot[i] || merged->logsynflow[i] != part.logsynflow[i] ||
                     merged->skip[i] != part.skip[i];
      for (const auto& [name, column] : part.zoo) differs = differs || merged->zoo.at(name)[i] != column[i];
      if (HasRow(*merged, index) && differs) {
        throw DataError(fmt::format("index {} differs between {} and {}", index,
                                    files[static_cast<std::size_t>(source[i])].string(), path.string()));
      }
      merged->naswot[i] = part.naswot[i];
      merged->logsynflow[i] = part.logsynflow[i];
      merged->skip[i] = part.skip[i];
      for (const auto& [name, column] : part.zoo) merged->zoo.at(name)[i] = column[i];
      source[i] = static_cast<int>(f);
    }
  }
  if (!merged) throw ParseError("nothing to merge");
  int missing = 0, first_missing = -1;
  for (int index = 0; index < kNumCells; ++index) {
    if (!HasRow(*merged, index)) {
      if (missing++ == 0) first_missing = index;
    }
  }
  if (missing > 0) {
    throw DataError(fmt::format("the {} files leave {} cells missing (first: index {}); finish the shards first",
                                files.size(), missing, first_missing));
  }
  merged->provenance.erase("shard");
  MarkMerged(*merged, files.size());
  return *merged;
}

}  // namespace simnas

// ---------------------------------------------------------------------------------------
// Tables of a space scored over its proxy network.

namespace simnas {
namespace {

const double kDescribedNaN = std::numeric_limits<double>::quiet_NaN();

ProxyTable EmptyDescribedTable(const CandidateSet& numbering, Dataset dataset) {
  const auto rows = static_cast<std::size_t>(numbering.size());
  ProxyTable t;
  t.space = std::string(numbering.space().name());
  t.dataset = dataset;
  t.arch.assign(rows, "");
  t.naswot.assign(rows, kDescribedNaN);
  t.logsynflow.assign(rows, kDescribedNaN);
  t.zoo["params"].assign(rows, kDescribedNaN);
  t.zoo["flops"].assign(rows, kDescribedNaN);
  return t;
}

// The provenance keys that must agree to resume.
constexpr const char* kDescribedIdentityKeys[] = {"dataset", "seed", "method_version", "images"};

}  // namespace

DescribedProxyTableBuild BuildDescribedProxyTable(const DescribedProxyTableJob& job, const fs::path& cifar_sample,
                                                  const CandidateSet& numbering) {
  using Clock = std::chrono::steady_clock;
  RequireNotShipped(job.out);  // before anything is computed
  const Space& space = numbering.space();
  const Dataset dataset = job.options.dataset.value_or(space.Datasets().front());
  std::map<std::string, std::string> provenance = {
      {"dataset", std::string(DatasetName(dataset))},
      {"seed", std::to_string(job.options.seed)},
      {"method_version", std::to_string(kDescribedProxyMethodVersion)},
      {"images", job.images.empty() ? "cifar10-sample (first 64 images)" : job.images},
      {"method",
       fmt::format("FreeREA on the {} proxy network ({}): NASWOT (train-mode BatchNorm, 64 images, every "
                   "feature-map ReLU / h-swish), LogSynflow (no BatchNorm, |w|, all-ones input, double); "
                   "Kaiming-normal fan_out init; params and flops (multiply-adds) in closed form",
                   space.name(), DatasetName(dataset))},
      {"implementation", job.options.reference_implementation ? "reference" : "fast"},
      {"architectures", numbering.source() + ", row = index"},
  };
  if (!job.command.empty()) provenance["command"] = job.command;
  if (job.zoo_rows < 0) throw ParseError(fmt::format("zoo rows must be >= 0, got {}", job.zoo_rows));
  const auto size = static_cast<std::size_t>(numbering.size());
  // The job's indices, in order, then its shard.
  std::vector<std::size_t> order;
  if (job.rows.empty()) {
    for (std::size_t i = 0; i < size; ++i) order.push_back(i);
  } else {
    for (int i : job.rows) {
      if (i < 0 || static_cast<std::size_t>(i) >= size) {
        throw ParseError(fmt::format("row {} is not an index of {} ({} architectures)", i, numbering.source(), size));
      }
      order.push_back(static_cast<std::size_t>(i));
    }
  }
  std::vector<std::size_t> rows;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (job.shard.Contains(static_cast<int>(k))) rows.push_back(order[k]);
  }

  ProxyTable table = EmptyDescribedTable(numbering, dataset);
  DescribedProxyTableBuild build;
  build.rows = static_cast<std::int64_t>(rows.size());
  if (fs::exists(job.out)) {
    ProxyTable saved = LoadPartialProxyTable(job.out, numbering, dataset);
    for (const char* key : kDescribedIdentityKeys) {
      const auto it = saved.provenance.find(key);
      if (it == saved.provenance.end() || it->second != provenance.at(key)) {
        throw DataError(fmt::format("{} (to resume): {} is {}, this run's is '{}'", job.out.string(), key,
                                    it == saved.provenance.end() ? "(none)" : "'" + it->second + "'",
                                    provenance.at(key)));
      }
    }
    if (saved.arch.empty() || !saved.zoo.contains("params") || !saved.zoo.contains("flops")) {
      throw DataError(fmt::format("{} (to resume): no arch, params or flops column", job.out.string()));
    }
    table = std::move(saved);
    for (std::size_t i : rows) build.resumed += table.Has(i) ? 1 : 0;
  }
  const std::int64_t zoo_rows = std::min<std::int64_t>(job.zoo_rows, static_cast<std::int64_t>(rows.size()));
  if (zoo_rows > 0) {
    provenance["zoo"] = fmt::format(
        "the zoo of described_proxies.h ({} images per mini-batch) for the job's first {} rows at least; empty "
        "fields: not computed",
        kDescribedZooImages, zoo_rows);
    for (const std::string_view name : kZooProxyNames) {
      if (!table.zoo.contains(std::string(name))) table.zoo[std::string(name)].assign(size, kDescribedNaN);
    }
  } else if (table.zoo.size() > 2) {
    provenance["zoo"] = table.provenance.contains("zoo") ? table.provenance.at("zoo") : "partly computed";
  }
  table.provenance = provenance;

  DescribedProxyOptions options = job.options;
  options.zoo = kNoZooProxies;
  DescribedProxyEvaluator evaluator(space, cifar_sample, options);
  options.zoo = kAllZooProxies;
  DescribedProxyEvaluator zoo_evaluator(space, cifar_sample, options);
  const auto start = Clock::now();
  auto last_save = start;
  const auto save = [&] { SaveProxyTable(job.out, table); };
  std::int64_t done = build.resumed;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t i = rows[k];
    // A row's zoo is there when its meco is (rows hold all of it or none).
    const bool whole = !table.Has(i);
    const bool zoo = static_cast<std::int64_t>(k) < zoo_rows && std::isnan(table.zoo.at("meco")[i]);
    if (!whole && !zoo) continue;
    if (InterruptRequested()) {
      save();
      const std::string what = fmt::format("simnas --space {} proxies --all", space.name());
      ThrowIfInterrupted(what.c_str());
    }
    const Arch& arch = numbering.at(static_cast<int>(i));
    const auto store_zoo = [&](const ZooValues& z) {
      for (auto& [name, column] : table.zoo) {
        if (name != "params" && name != "flops") column[i] = z[name];
      }
    };
    if (whole) {
      const DescribedProxyValues v = zoo ? zoo_evaluator.Evaluate(arch) : evaluator.Evaluate(arch);
      if (zoo) store_zoo(*v.zoo);
      table.arch[i] = space.Format(arch);
      table.naswot[i] = v.naswot;
      table.logsynflow[i] = v.logsynflow;
      table.zoo["params"][i] = static_cast<double>(v.params);
      table.zoo["flops"][i] = static_cast<double>(v.flops);
      ++build.computed;
      ++done;
    } else {
      store_zoo(zoo_evaluator.Zoo(arch));
      ++build.zoo_computed;
    }
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_save).count() >= job.save_every) {
      save();
      last_save = now;
      const double seconds = std::chrono::duration<double>(now - start).count();
      const double rate = static_cast<double>(build.computed + build.zoo_computed) / seconds * 60.0;
      fmt::print(stderr, "{} proxies: {}/{} rows ({:.1f} networks/min), saved {}\n", space.name(), done, build.rows,
                 rate, job.out.string());
    }
  }
  save();
  build.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return build;
}

ProxyTable MergeDescribedProxyTables(const std::vector<fs::path>& files, const CandidateSet& numbering,
                                     Dataset dataset) {
  if (files.empty()) throw ParseError("nothing to merge");
  ProxyTable merged = LoadPartialProxyTable(files.front(), numbering, dataset);
  for (std::size_t f = 1; f < files.size(); ++f) {
    const ProxyTable part = LoadPartialProxyTable(files[f], numbering, dataset);
    for (const char* key : kDescribedIdentityKeys) {
      const auto value = [&](const ProxyTable& t) {
        const auto it = t.provenance.find(key);
        return it == t.provenance.end() ? std::string("(none)") : it->second;
      };
      const std::string va = value(merged), vb = value(part);
      if (va != vb) {
        throw DataError(fmt::format("{} and {} differ in {} ('{}', '{}')", files.front().string(), files[f].string(),
                                    key, va, vb));
      }
    }
    for (const auto& [name, column] : part.zoo) {
      if (!merged.zoo.contains(name)) merged.zoo[name].assign(merged.size(), kDescribedNaN);
    }
    for (std::size_t i = 0; i < part.size(); ++i) {
      if (!part.Has(i)) continue;
      // Compared bit for bit; NaN (not computed) only against NaN.
      const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
      if (merged.Has(i)) {
        bool agree = same(merged.naswot[i], part.naswot[i]) && same(merged.logsynflow[i], part.logsynflow[i]);
        for (const auto& [name, column] : part.zoo) agree = agree && same(merged.zoo.at(name)[i], column[i]);
        if (!agree) {
          throw DataError(fmt::format("index {} differs between {} and {}", i, files.front().string(),
                                      files[f].string()));
        }
        continue;
      }
      merged.arch[i] = part.arch[i];
      merged.naswot[i] = part.naswot[i];
      merged.logsynflow[i] = part.logsynflow[i];
      for (const auto& [name, column] : part.zoo) merged.zoo.at(name)[i] = column[i];
    }
  }
  MarkMerged(merged, files.size());
  return merged;
}

}  // namespace simnas
