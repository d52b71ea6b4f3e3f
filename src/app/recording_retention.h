#pragma once
// Deletes call recordings older than recordings.retention: at start-up and
// then once an hour, on a thread of its own. Each expired file is first noted
// (event recording.deleted in its interaction's history, and an audit entry by
// the system), then deleted; a file whose note failed is kept for the next
// sweep. See telephony/retention.h for which files are recordings.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "service/core.h"

namespace sb::app {

class RecordingRetention {
 public:
  RecordingRetention(service::Core& core, std::filesystem::path dir, std::chrono::seconds max_age,
                     std::chrono::seconds period = std::chrono::hours(1));
  ~RecordingRetention();  // stops and joins the thread
  RecordingRetention(const RecordingRetention&) = delete;
  RecordingRetention& operator=(const RecordingRetention&) = delete;

  // One sweep now; returns how many recordings were deleted.
  std::size_t sweep_once();

 private:
  void run();

  service::Core& core_;
  const std::filesystem::path dir_;
  const std::chrono::seconds max_age_, period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sb::app
