#pragma once
// Group commit: a dedicated writer thread takes ALL batches queued since its
// last round and hands them to `apply` at once (which runs them in one
// transaction and sets each one's result), then calls every `done` with its
// result, in submission order, from the writer thread.
//
// Threading: submit() may be called from any thread, including from a `done`
// callback. `apply` and the callbacks run on the writer thread only. The
// destructor stops accepting work, drains everything queued, then joins.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace sb::store {

class GroupWriter {
 public:
  struct Pending {
    WriteBatch batch;
    std::function<void(Status)> done;
    Status result;
  };
  // Runs a group: sets `result` of every element. Called on the writer thread.
  using ApplyFn = std::function<void(std::vector<Pending>& group)>;

  struct Stats {
    std::uint64_t groups = 0;   // transactions run
    std::uint64_t batches = 0;  // batches committed or failed
    std::uint64_t largest_group = 0;
  };

  // `apply` must stay callable until the destructor returns.
  explicit GroupWriter(ApplyFn apply);
  ~GroupWriter();
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  // Queues a batch. After the destructor has begun, `done` gets kUnavailable at once.
  void submit(WriteBatch batch, std::function<void(Status)> done);
  Stats stats() const;

 private:
  void run();

  ApplyFn apply_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;       // GUARDED_BY(mu_)
  Stats stats_;                 // GUARDED_BY(mu_)
  std::thread thread_;          // last: starts after the members above exist
};

}  // namespace sb::store
