#include "service/loop.h"

#include <future>

namespace sb::service {

Loop::Loop(const Clock& clock, Task on_deadline)
    : clock_(clock), on_deadline_(std::move(on_deadline)), thread_([this] { run(); }) {}

Loop::~Loop() { stop(); }

void Loop::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      if (thread_.joinable() && !in_loop_thread()) thread_.join();
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && !in_loop_thread()) thread_.join();
}

void Loop::post(Task task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void Loop::set_deadline(std::optional<TimePoint> t) {
  std::lock_guard lock(mu_);
  deadline_ = t;
}

void Loop::run_sync(const Task& fn) {
  std::promise<void> done;
  post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void Loop::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!tasks_.empty()) {
      Task t = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      t();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (deadline_) {
      auto now = clock_.now();
      if (now >= *deadline_) {
        deadline_.reset();
        lock.unlock();
        on_deadline_();
        lock.lock();
        continue;
      }
      // The clock is the system clock in production; sleep for the remaining time.
      cv_.wait_for(lock, *deadline_ - now);
    } else {
      cv_.wait(lock);
    }
  }
}

}  // namespace sb::service
