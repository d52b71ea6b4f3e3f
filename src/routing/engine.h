#pragma once
// The ACD engine: in memory, deterministic, single-threaded, no I/O and no
// clock of its own. Every call takes `now` (non-decreasing across calls) and
// reports its effects as Events to the EventSink, in order.
//
// Threading: not thread-safe. One owner thread (the service's routing strand)
// makes every call. The simulator drives the same engine on a virtual clock.
//
// Timers: the engine never sleeps. next_deadline() says when it next needs
// advance(now) to be called (offer timeouts, wrap-up ends, relaxation steps,
// max-wait overflow, business-hours changes); the owner arms one timer for it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "routing/events.h"
#include "routing/types.h"

namespace sb::routing {

struct AgentSnapshot {
  AgentId id;
  std::string name;
  AgentState state = AgentState::kLoggedOut;
  std::string reason;               // not-ready reason
  TimePoint state_since{};
  ChannelCounts load;               // interactions held now, per channel
  std::vector<InteractionId> interactions;
  std::optional<InteractionId> offer;  // pending offer, if reserved
  std::optional<TimePoint> offer_expires;  // when that offer times out
  std::optional<TimePoint> wrapup_ends;
};

struct InteractionSnapshot {
  InteractionId id;
  Channel channel{};
  QueueId queue;
  int priority = 0;
  InteractionState state = InteractionState::kQueued;
  TimePoint enqueued{};
  std::optional<AgentId> agent;     // offered to / connected with
  int position = 0;                 // 1-based position in its queue while queued, else 0
  Duration estimated_wait{};        // while queued
  CustomerId customer;
  std::string from;
  bool callback = false;            // customer is off the line, to be called back
};

struct QueueSnapshot {
  QueueId id;
  std::string name;
  int waiting = 0;
  Duration longest_wait{};
  int agents_logged_in = 0;         // agents with a matching skill set who are logged in
  int agents_ready = 0;
  // Since the engine started (the service layer computes day figures from the event log).
  int offered = 0, answered = 0, answered_in_sl = 0, abandoned = 0;
  Duration avg_handle_time{};       // moving average, used for estimated wait
};

class Engine {
 public:
  explicit Engine(EventSink& sink);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- configuration (idempotent upserts) ---
  Status upsert_queue(const QueueConfig& q, TimePoint now);
  Status upsert_agent(const AgentConfig& a, TimePoint now);  // keeps the agent's state and load

  // --- agent state ---
  Status login(AgentId a, TimePoint now);                  // -> not-ready "login"
  Status set_ready(AgentId a, TimePoint now);              // also ends wrap-up early
  Status set_not_ready(AgentId a, std::string reason, TimePoint now);  // pending work continues
  Status logout(AgentId a, TimePoint now);                 // refused while holding interactions

  // --- interactions ---
  Status arrive(const InteractionSpec& spec, TimePoint now);
  Status accept(InteractionId i, AgentId a, TimePoint now);
  // Work the agent starts themself (an outbound call): the interaction is
  // connected to agent `a` at once, in spec.queue (counted there as offered and
  // answered, waited 0), without waiting or an offer; reports Accepted. The
  // agent may be ready or not-ready (a not-ready agent stays not-ready, gets no
  // offers meanwhile, and is still not-ready after wrap-up); refused
  // (kConflict) when logged out, an offer is ringing, or the capacity model
  // forbids the channel (already on a call, in wrap-up, phone work exclusive).
  // spec.preferred_agent is ignored; queue hours are not checked.
  Status connect(const InteractionSpec& spec, AgentId a, TimePoint now);
  Status reject(InteractionId i, AgentId a, TimePoint now);  // back to its place; agent not-ready "rejected"
  Status abandon(InteractionId i, TimePoint now);            // customer left before being connected
  Status end_conversation(InteractionId i, TimePoint now);   // customer side over; agent enters wrap-up
  Status complete(InteractionId i, AgentId a, TimePoint now);  // agent done (disposition given)
  Status transfer_to_queue(InteractionId i, QueueId q, TimePoint now);
  Status transfer_to_agent(InteractionId i, AgentId a, TimePoint now);
  Status convert_to_callback(InteractionId i, std::string number, TimePoint now);  // keeps place in line
  Status cancel(InteractionId i, TimePoint now);  // administrative removal

  // --- time ---
  void advance(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // --- queries ---
  std::optional<AgentSnapshot> agent(AgentId a) const;
  std::optional<InteractionSnapshot> interaction(InteractionId i, TimePoint now) const;
  std::optional<QueueSnapshot> queue(QueueId q, TimePoint now) const;
  std::vector<AgentSnapshot> agents() const;
  std::vector<QueueSnapshot> queues(TimePoint now) const;
  std::vector<InteractionSnapshot> waiting(QueueId q, TimePoint now) const;  // in offer order
  std::size_t interaction_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::routing
