#pragma once
// Fans routing and service events out to WebSocket subscribers, each seeing
// only what its role allows:
//   agent       events that concern them (their offers, interactions, state);
//   supervisor  events of their team's agents and queues;
//   admin       everything; analyst: queue-level events of every queue.
// Each event is serialised once: {"type","at","data"}.
//
// Threading: publish() runs on the routing thread; subscribe()/unsubscribe()
// on io threads. A mutex guards the subscriber list; sends never block (the
// connection queues them).
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "api/principal.h"
#include "service/core.h"

namespace sb::api {

struct Subscription {
  bool all = false;
  std::set<AgentId> agents;
  std::set<QueueId> queues;
  bool sees(const service::Published& e) const;
};

class EventHub final : public service::Publisher {
 public:
  using Send = std::function<void(const std::string&)>;

  void publish(const service::Published& e) override;
  // Returns a key for unsubscribe().
  std::uint64_t subscribe(Subscription sub, Send send);
  void unsubscribe(std::uint64_t key);
  std::size_t size() const;
  std::uint64_t published() const;

 private:
  struct Entry {
    Subscription sub;
    Send send;
  };
  mutable std::mutex mu_;
  std::map<std::uint64_t, Entry> subs_;  // guarded by mu_
  std::uint64_t next_ = 1;               // guarded by mu_
  std::uint64_t published_ = 0;          // guarded by mu_
};

}  // namespace sb::api
