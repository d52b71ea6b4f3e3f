#include "store/group_writer.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace sb::store {

GroupWriter::GroupWriter(ApplyFn apply) : apply_(std::move(apply)), thread_([this] { run(); }) {}

GroupWriter::~GroupWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupWriter::submit(WriteBatch batch, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ || std::this_thread::get_id() == thread_.get_id()) {
      // A done callback may submit during shutdown: it is still drained.
      queue_.push_back(Pending{std::move(batch), std::move(done), {}});
      wake_.notify_one();
      return;
    }
  }
  if (done) done(Error{ErrorCode::kUnavailable, "store: submit after shutdown began", {}});
}

GroupWriter::Stats GroupWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void GroupWriter::run() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      group.swap(queue_);
    }
    apply_(group);
    {
      std::lock_guard lock(mu_);
      stats_.groups += 1;
      stats_.batches += group.size();
      if (group.size() > stats_.largest_group) stats_.largest_group = group.size();
    }
    for (Pending& p : group) {
      if (!p.done) continue;
      try {
        p.done(std::move(p.result));
      } catch (const std::exception& e) {
        spdlog::error("[store] submit() done callback threw: {}", e.what());
      } catch (...) {
        spdlog::error("[store] submit() done callback threw");
      }
    }
  }
}

}  // namespace sb::store
