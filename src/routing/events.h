#pragma once
// What the engine tells the world. Every state change the engine makes is
// reported as exactly one Event, in order; the service layer appends them to
// the event log and pushes them to WebSocket subscribers. Decisions
// (Offer, Overflow, ...) are events too.
#include <string>
#include <variant>
#include <vector>

#include "routing/types.h"

namespace sb::routing {

struct InteractionQueued {      // entered a queue (arrival, transfer, overflow, offer returned)
  InteractionId interaction;
  QueueId queue;
  Channel channel;
  int position = 0;             // 1-based, at the time of queueing
};
struct Offered {                // decision: offer to these agents (several only for ring-all)
  InteractionId interaction;
  QueueId queue;
  std::vector<AgentId> agents;
  TimePoint expires;
};
struct OfferRevoked {           // the offer to this agent is void (someone else took it, caller left)
  InteractionId interaction;
  AgentId agent;
};
struct OfferTimedOut { InteractionId interaction; AgentId agent; };
struct OfferRejected { InteractionId interaction; AgentId agent; };
struct Accepted { InteractionId interaction; AgentId agent; QueueId queue; Duration waited; };
struct Overflowed { InteractionId interaction; QueueId from; QueueId to; std::string why; };  // why: "max_wait" | "closed"
struct Transferred { InteractionId interaction; std::optional<AgentId> from_agent; QueueId to_queue; std::optional<AgentId> to_agent; };
struct ConvertedToCallback { InteractionId interaction; QueueId queue; std::string number; };
struct InteractionEnded {       // left the engine (after wrap-up or without an agent)
  InteractionId interaction;
  QueueId queue;
  EndReason reason;
  std::optional<AgentId> agent;
  Duration waited;              // time from enqueue to accept or end
};
struct ConversationEnded { InteractionId interaction; AgentId agent; };  // customer side done; wrap-up may follow
struct AgentStateChanged {
  AgentId agent;
  AgentState from;
  AgentState to;
  std::string reason;           // not-ready reason code; "missed" after an offer timeout
};

using Event = std::variant<InteractionQueued, Offered, OfferRevoked, OfferTimedOut, OfferRejected,
                           Accepted, Overflowed, Transferred, ConvertedToCallback, InteractionEnded,
                           ConversationEnded, AgentStateChanged>;

// A stable name for each alternative ("interaction.queued", "offer.created", ...), used in the event log.
std::string_view event_type(const Event& e);

// Receives events synchronously, on the engine's thread, while the engine call is running.
// It must not call back into the engine.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(TimePoint at, const Event& e) = 0;
};

}  // namespace sb::routing
