#pragma once
// The routing strand: one thread that runs posted tasks in order and wakes up
// at a single deadline (the engine's next timer). Nothing polls: the thread
// sleeps on a condition variable until a task arrives or the deadline passes.
//
// Threading: post() and set_deadline() may be called from any thread; tasks
// and the deadline callback run on the loop thread only.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/time.h"

namespace sb::service {

class Loop {
 public:
  using Task = std::function<void()>;

  // `on_deadline` runs on the loop thread when the deadline set by
  // set_deadline() passes (by the steady clock that backs `clock`).
  Loop(const Clock& clock, Task on_deadline);
  ~Loop();  // stops and joins; pending tasks are run first
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void post(Task task);
  // Called from the loop thread (typically after each engine call).
  void set_deadline(std::optional<TimePoint> t);
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  void stop();
  // Runs `fn` on the loop thread and waits for it. Must not be called from the loop thread.
  void run_sync(const Task& fn);

 private:
  void run();

  const Clock& clock_;
  Task on_deadline_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;                // guarded by mu_
  std::optional<TimePoint> deadline_;     // guarded by mu_
  bool stopping_ = false;                 // guarded by mu_
  std::thread thread_;
};

}  // namespace sb::service
