#include "app/recording_retention.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "telephony/retention.h"

namespace sb::app {

RecordingRetention::RecordingRetention(service::Core& core, std::filesystem::path dir, std::chrono::seconds max_age,
                                       std::chrono::seconds period)
    : core_(core), dir_(std::move(dir)), max_age_(max_age), period_(period), thread_([this] { run(); }) {}

RecordingRetention::~RecordingRetention() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::size_t RecordingRetention::sweep_once() {
  auto expired = telephony::expired_recordings(dir_, std::filesystem::file_time_type::clock::now(), max_age_);
  if (!expired) {
    spdlog::warn("[retention] {}", expired.error().message);
    return 0;
  }
  std::size_t deleted = 0;
  double days = static_cast<double>(max_age_.count()) / 86400.0;
  for (const auto& r : *expired) {
    InteractionId iid(r.interaction);
    nlohmann::json data{{"interaction", r.interaction}, {"file", r.file}, {"reason", "retention"},
                        {"retention_days", days}};
    auto noted = core_.execute_sync(service::Actor::system(), [iid, data](service::Txn& t) -> service::Core::Value {
      t.audit("recording.deleted", fmt::format("interaction:{}", iid.value), data);
      t.event("recording.deleted", data, iid);
      return nlohmann::json::object();
    });
    if (!noted) {
      spdlog::warn("[retention] {} kept for now: {}", r.file, noted.error().message);
      continue;
    }
    std::error_code ec;
    if (!std::filesystem::remove(r.path, ec) || ec) {
      spdlog::warn("[retention] cannot delete {}: {}", r.path.string(), ec ? ec.message() : "gone already");
      continue;
    }
    ++deleted;
  }
  if (deleted) spdlog::info("[retention] {} recording(s) older than {} days deleted", deleted, days);
  return deleted;
}

void RecordingRetention::run() {
  std::unique_lock l(mu_);
  while (!stop_) {
    l.unlock();
    sweep_once();
    l.lock();
    cv_.wait_for(l, period_, [this] { return stop_; });
  }
}

}  // namespace sb::app
