// The processes of one job: this process alone, or the ranks of an MPI job started by
// `mpirun -np N simnas ...`. Long jobs (proxy tables, the benchmark, device farms) hand their
// items out through a WorkQueue and collect their results on rank 0, which alone writes files.
// Both implementations sit behind this interface; the MPI one is compiled in only when CMake
// finds MPI (option SIMNAS_WITH_MPI), and is used only when the process was started by mpirun.
// Nothing here includes <mpi.h>.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "simnas/core/error.h"

namespace simnas {

// An error every rank of the job agrees on (e.g. ranks that run different versions or
// configurations): every rank throws it, rank 0 reports it, the job ends without MPI_Abort.
class JobError : public Error {
 public:
  using Error::Error;
};

// Called on rank 0 with every result any rank posts, one call at a time (with MPI, on a
// thread of rank 0 that serves the other ranks; calls never overlap).
using ResultHandler = std::function<void(const std::string& result)>;

// Items 0..n-1 handed out dynamically: a rank asks for more when it runs out, so ranks that
// draw expensive items take fewer. Order items from most to least expensive for the best
// balance. Use: `while (auto i = queue.Next()) { ...; queue.Post(result); }` then Finish().
class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  // The next item for this rank; nullopt when every item has been handed out.
  virtual std::optional<std::int64_t> Next() = 0;
  // Delivers one result to rank 0's handler (at once on rank 0, as a message from others).
  virtual void Post(const std::string& result) = 0;
  // Collective: returns once every rank has finished and every result has been handled.
  // Rethrows on rank 0 an exception the handler threw.
  virtual void Finish() = 0;
};

class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool leader() const { return rank() == 0; }
  // "rank 1 of 4 on node7" (MPI), "this process" (one process).
  virtual std::string Describe() const = 0;
  // Collective: every rank passes its own `value` of `what` (a version, a configuration);
  // when they differ, every rank throws JobError naming `what` and the ranks that differ.
  virtual void RequireSame(const std::string& what, const std::string& value) = 0;
  // Collective: rank 0's `value` on every rank.
  virtual std::string Broadcast(const std::string& value) = 0;
  // Collective: a queue over `items` items. `max_chunk` caps how many items a rank takes
  // per request (chunks shrink as the queue empties). `on_result` matters on rank 0 only.
  virtual std::unique_ptr<WorkQueue> Distribute(std::int64_t items, int max_chunk, ResultHandler on_result) = 0;
  // Ends the whole job at once after an error on this rank (MPI_Abort); one process: no-op.
  virtual void Abort(int exit_code) = 0;
};

// Collective: every rank reads `path` and the job stops (JobError) unless every rank read the
// same bytes (size and hash compared; a missing file counts as empty).
void RequireSameFile(Cluster& cluster, const std::string& what, const std::filesystem::path& path);

// How this process was started, as its launcher says (the CLI reads the launcher's variables:
// OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK; the library reads no environment).
struct Launch {
  bool by_mpi = false;  // started by mpirun (Open MPI, MPICH/Hydra) or srun (PMI/PMIx)
  int ranks = 0;        // processes the launcher started, when it says (0: unknown)
};

// The cluster of this process: MPI when built with MPI and started by an MPI launcher, else
// one process (a build without MPI refuses a launch of several ranks). Call once, early in
// main (it may read and change argc/argv).
std::unique_ptr<Cluster> OpenCluster(int* argc, char*** argv, const Launch& launch);
// A one-process cluster (tests, library callers without a job).
std::unique_ptr<Cluster> SingleProcessCluster();
// Whether this build has MPI support.
bool MpiBuiltIn();

}  // namespace simnas
