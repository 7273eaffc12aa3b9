// Cluster over MPI. Work distribution: rank 0 computes like every other rank, and a thread of
// rank 0 (the server) answers the others: a rank sends a request when it starts the last item
// of its chunk (so the answer is there when it needs it), and every result as soon as it has
// one; the server hands out the next chunk and passes results to the handler, under the same
// lock as rank 0's own. Waiting is done by polling with short sleeps, so an idle rank does not
// take a core from a busy one (this machine has fewer cores than ranks, at times).
#include "simnas/parallel/mpi_cluster.h"

#include "simnas/core/plugin.h"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace simnas {
namespace {

constexpr int kTagResult = 11;
constexpr int kTagRequest = 12;
constexpr int kTagDone = 13;
constexpr int kTagChunk = 14;

void Pause() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }

void Wait(MPI_Request* request) {
  for (;;) {
    int flag = 0;
    MPI_Test(request, &flag, MPI_STATUS_IGNORE);
    if (flag) return;
    Pause();
  }
}

class MpiQueue : public WorkQueue {
 public:
  MpiQueue(std::int64_t items, int max_chunk, ResultHandler on_result)
      : items_(items), max_chunk_(std::max(1, max_chunk)), on_result_(std::move(on_result)) {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    if (rank_ == 0 && size_ > 1) server_ = std::thread([this] { Serve(); });
  }

  ~MpiQueue() override {
    // Only on an error path (Finish joins): stop serving so that the job can be aborted.
    if (server_.joinable()) {
      stop_ = true;
      server_.join();
    }
  }

  std::optional<std::int64_t> Next() override {
    if (rank_ == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      RethrowServerError();
      if (next_ >= items_) return std::nullopt;
      return next_++;
    }
    for (;;) {
      if (begin_ < end_) {
        const std::int64_t item = begin_++;
        if (begin_ == end_ && !pending_ && !exhausted_) Request();
        return item;
      }
      if (exhausted_) return std::nullopt;
      if (!pending_) Request();
      Wait(&reply_request_);
      pending_ = false;
      if (reply_[1] == 0) {
        exhausted_ = true;
      } else {
        begin_ = reply_[0];
        end_ = reply_[0] + reply_[1];
      }
    }
  }

  void Post(const std::string& result) override {
    if (rank_ == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      RethrowServerError();
      if (on_result_) on_result_(result);
      return;
    }
    MPI_Send(result.data(), static_cast<int>(result.size()), MPI_BYTE, 0, kTagResult, comm_);
  }

  void Finish() override {
    if (rank_ == 0) {
      if (server_.joinable()) server_.join();
      std::lock_guard<std::mutex> lock(mu_);
      RethrowServerError();
    } else {
      if (pending_) {
        Wait(&reply_request_);
        pending_ = false;
      }
      MPI_Send(nullptr, 0, MPI_BYTE, 0, kTagDone, comm_);
    }
    MPI_Request barrier;
    MPI_Ibarrier(comm_, &barrier);
    Wait(&barrier);
    MPI_Comm_free(&comm_);
  }

 private:
  void RethrowServerError() {
    if (server_error_) {
      std::exception_ptr e = server_error_;
      server_error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

  void Request() {
    MPI_Send(nullptr, 0, MPI_BYTE, 0, kTagRequest, comm_);
    MPI_Irecv(reply_, 2, MPI_INT64_T, 0, kTagChunk, comm_, &reply_request_);
    pending_ = true;
  }

  // Rank 0's server thread: runs until every other rank has said it is done.
  void Serve() {
    int done = 0;
    std::string buffer;
    while (done < size_ - 1 && !stop_) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &status);
      if (!flag) {
        Pause();
        continue;
      }
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      buffer.assign(static_cast<std::size_t>(count), '\0');
      MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm_, MPI_STATUS_IGNORE);
      if (status.MPI_TAG == kTagResult) {
        std::lock_guard<std::mutex> lock(mu_);
        if (server_error_ || !on_result_) continue;
        try {
          on_result_(buffer);
        } catch (...) {
          server_error_ = std::current_exception();
        }
      } else if (status.MPI_TAG == kTagRequest) {
        std::int64_t reply[2];
        {
          std::lock_guard<std::mutex> lock(mu_);
          const std::int64_t remaining = items_ - next_;
          // Guided: a small share of what is left, so chunks shrink toward the end of the queue
          // (and a rank does not sit on several of the expensive first items of a short queue).
          const std::int64_t chunk =
              std::clamp<std::int64_t>(remaining / (4 * size_), std::min<std::int64_t>(1, remaining), max_chunk_);
          reply[0] = next_;
          reply[1] = chunk;
          next_ += chunk;
        }
        MPI_Send(reply, 2, MPI_INT64_T, status.MPI_SOURCE, kTagChunk, comm_);
      } else if (status.MPI_TAG == kTagDone) {
        ++done;
      }
    }
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  std::int64_t items_;
  int max_chunk_;
  ResultHandler on_result_;
  // Rank 0.
  std::mutex mu_;
  std::int64_t next_ = 0;
  std::thread server_;
  std::exception_ptr server_error_;
  std::atomic<bool> stop_{false};
  // Other ranks: the current chunk [begin_, end_) and the request in flight.
  std::int64_t begin_ = 0;
  std::int64_t end_ = 0;
  bool exhausted_ = false;
  bool pending_ = false;
  std::int64_t reply_[2] = {0, 0};
  MPI_Request reply_request_ = MPI_REQUEST_NULL;
};

std::string Shown(const std::string& value) {
  const bool short_line = value.size() <= 80 && value.find('\n') == std::string::npos;
  return short_line ? "'" + value + "'" : "a different one (" + std::to_string(value.size()) + " bytes)";
}

bool Printable(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// "rank 0 has X, rank r has Y" where X and Y are the values, or for long text the words around
// their first difference (the flag before a differing value, e.g. '...--seed 3...').
// (fmt rather than string concatenation: GCC 12 warns falsely on the latter, -Wrestrict.)
std::string Difference(const std::string& a, const std::string& b, int r) {
  if ((a.size() <= 80 && b.size() <= 80) || !Printable(a) || !Printable(b)) {
    return fmt::format("rank 0 has {}, rank {} has {}", Shown(a), r, Shown(b));
  }
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  // From the start of the word before the differing one to the end of the differing word.
  std::size_t from = at;
  while (from > 0 && a[from - 1] != ' ') --from;
  if (from > 0) {
    --from;
    while (from > 0 && a[from - 1] != ' ') --from;
  }
  const auto excerpt = [from, at](const std::string& s) {
    std::size_t to = at;
    while (to < s.size() && s[to] != ' ') ++to;
    return fmt::format("'{}{}{}'", from > 0 ? "..." : "", s.substr(from, to - from), to < s.size() ? "..." : "");
  };
  return fmt::format("rank 0 has {}, rank {} has {} (first difference at character {})", excerpt(a), r, excerpt(b),
                     at + 1);
}

class MpiCluster : public Cluster {
 public:
  MpiCluster(int* argc, char*** argv) {
    int provided = 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    MPI_Get_processor_name(name, &length);
    host_.assign(name, static_cast<std::size_t>(length));
    if (provided < MPI_THREAD_SERIALIZED) {
      throw Error("this MPI library does not allow calls from more than one thread (MPI_THREAD_SERIALIZED)");
    }
  }
  ~MpiCluster() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string Describe() const override {
    return "rank " + std::to_string(rank_) + " of " + std::to_string(size_) + " on " + host_;
  }

  void RequireSame(const std::string& what, const std::string& value) override {
    const std::vector<std::string> all = Gather(value);
    std::string verdict;
    if (rank_ == 0) {
      std::vector<int> differ;
      for (int r = 1; r < size_; ++r) {
        if (all[static_cast<std::size_t>(r)] != all[0]) differ.push_back(r);
      }
      if (!differ.empty()) {
        const std::string& other = all[static_cast<std::size_t>(differ[0])];
        verdict = "ranks disagree on " + what + ": " + Difference(all[0], other, differ[0]);
        if (differ.size() > 1) verdict += " (" + std::to_string(differ.size()) + " ranks differ from rank 0)";
        verdict += "; run the same simnas and files on every machine";
      }
    }
    verdict = Broadcast(verdict);
    if (!verdict.empty()) throw JobError(verdict);
  }

  std::string Broadcast(const std::string& value) override {
    std::int64_t size = rank_ == 0 ? static_cast<std::int64_t>(value.size()) : 0;
    MPI_Bcast(&size, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    std::string out = rank_ == 0 ? value : std::string(static_cast<std::size_t>(size), '\0');
    if (size > 0) MPI_Bcast(out.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD);
    return out;
  }

  std::unique_ptr<WorkQueue> Distribute(std::int64_t items, int max_chunk, ResultHandler on_result) override {
    return std::make_unique<MpiQueue>(items, max_chunk, std::move(on_result));
  }

  void Abort(int exit_code) override { MPI_Abort(MPI_COMM_WORLD, exit_code); }

 private:
  // Every rank's value on rank 0 (other ranks get an empty vector).
  std::vector<std::string> Gather(const std::string& value) {
    int mine = static_cast<int>(value.size());
    std::vector<int> sizes(static_cast<std::size_t>(size_), 0);
    MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(static_cast<std::size_t>(size_), 0);
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += sizes[static_cast<std::size_t>(r)];
    }
    std::string all(static_cast<std::size_t>(rank_ == 0 ? total : 0), '\0');
    MPI_Gatherv(value.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
    std::vector<std::string> out;
    if (rank_ == 0) {
      for (int r = 0; r < size_; ++r) {
        out.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                 static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
      }
    }
    return out;
  }

  int rank_ = 0;
  int size_ = 1;
  std::string host_;
};

}  // namespace


}  // namespace simnas

SIMNAS_PLUGIN_VERSION_ENTRY()

simnas::Cluster* simnas_mpi_open_cluster(int* argc, char*** argv) { return new simnas::MpiCluster(argc, argv); }
