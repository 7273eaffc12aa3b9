#include "simnas/parallel/cluster.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "simnas/core/plugin.h"
#include "simnas/parallel/mpi_cluster.h"

namespace simnas {
namespace {

class SingleQueue : public WorkQueue {
 public:
  SingleQueue(std::int64_t items, ResultHandler on_result) : items_(items), on_result_(std::move(on_result)) {}
  std::optional<std::int64_t> Next() override {
    if (next_ >= items_) return std::nullopt;
    return next_++;
  }
  void Post(const std::string& result) override {
    if (on_result_) on_result_(result);
  }
  void Finish() override {}

 private:
  std::int64_t items_;
  std::int64_t next_ = 0;
  ResultHandler on_result_;
};

class OneProcess : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string Describe() const override { return "this process"; }
  void RequireSame(const std::string&, const std::string&) override {}
  std::string Broadcast(const std::string& value) override { return value; }
  std::unique_ptr<WorkQueue> Distribute(std::int64_t items, int, ResultHandler on_result) override {
    return std::make_unique<SingleQueue>(items, std::move(on_result));
  }
  void Abort(int) override {}
};

}  // namespace

void RequireSameFile(Cluster& cluster, const std::string& what, const std::filesystem::path& path) {
  if (cluster.size() == 1) return;
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  cluster.RequireSame(what + " (" + path.string() + ")",
                      std::to_string(bytes.size()) + " bytes, hash " + std::to_string(std::hash<std::string>{}(bytes)));
}

std::unique_ptr<Cluster> SingleProcessCluster() { return std::make_unique<OneProcess>(); }

std::unique_ptr<Cluster> OpenCluster([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv,
                                     [[maybe_unused]] const Launch& launch) {
#ifdef SIMNAS_WITH_MPI
  if (launch.by_mpi) {
    // Global scope: Open MPI opens components of its own that look for its symbols there.
    const auto open = reinterpret_cast<decltype(&simnas_mpi_open_cluster)>(
        PluginSymbol("mpi", "simnas_mpi_open_cluster", PluginScope::kGlobal));
    return std::unique_ptr<Cluster>(open(argc, argv));
  }
#else
  // Several copies of a build without MPI would each do the whole job and write the same files.
  if (launch.ranks > 1) {
    throw Error(std::to_string(launch.ranks) +
                " processes started by mpirun, but this simnas was built without MPI (install libopenmpi-dev and "
                "rebuild)");
  }
#endif
  return SingleProcessCluster();
}

bool MpiBuiltIn() {
#ifdef SIMNAS_WITH_MPI
  return true;
#else
  return false;
#endif
}

}  // namespace simnas
