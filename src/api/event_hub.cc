#include "api/event_hub.h"

namespace sb::api {

bool Subscription::sees(const service::Published& e) const {
  if (all) return true;
  for (AgentId a : e.agents)
    if (agents.count(a)) return true;
  return e.queue && queues.count(*e.queue);
}

void EventHub::publish(const service::Published& e) {
  std::lock_guard lock(mu_);
  ++published_;
  if (subs_.empty()) return;
  std::string text;  // serialised lazily, once
  for (auto& [key, entry] : subs_) {
    if (!entry.sub.sees(e)) continue;
    if (text.empty())
      text = nlohmann::json{{"type", e.type}, {"at", to_iso8601(e.at)}, {"data", e.data}}.dump();
    entry.send(text);
  }
}

std::uint64_t EventHub::subscribe(Subscription sub, Send send) {
  std::lock_guard lock(mu_);
  auto key = next_++;
  subs_.emplace(key, Entry{std::move(sub), std::move(send)});
  return key;
}

void EventHub::unsubscribe(std::uint64_t key) {
  std::lock_guard lock(mu_);
  subs_.erase(key);
}

std::size_t EventHub::size() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

std::uint64_t EventHub::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

}  // namespace sb::api
