#pragma once
// Outbound calls in the ACD. An agent's click-to-call (or a callback being
// dialled) is a voice interaction held by that agent from the start: the
// telephony rings the agent's phone, then the customer through a trunk, and
// reports the outcome with these commands. The engine connects the new
// interaction to the agent directly (Engine::connect), ready or not-ready.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "service/core.h"

namespace sb::service::commands {

struct OutboundCall {
  AgentId agent;                             // whose phone rings first; agents may only place their own calls
  std::string to;                            // the customer's number (validated like phone numbers elsewhere)
  std::optional<InteractionId> interaction;  // dial for this interaction (held and connected by `agent`)
  std::optional<QueueId> queue;              // the new interaction's queue; else `queue_name`; else chosen
  std::string queue_name;                    // the trunk's queue for outbound calls ("" = none)
  nlohmann::json data = nlohmann::json::object();  // merged into the new interaction's data (trunk, caller id)
};

// Without `interaction`: the agent must be logged in, ready or not-ready, with
// nothing in hand and no offer ringing (409 otherwise, saying which). Creates a voice interaction {from: to, data.direction
// "outbound", customer matched by the number} in the chosen queue — the
// first enabled, open queue taking voice whose base skills the agent has,
// else the first enabled, open queue taking voice — and connects it to the
// agent (Engine::connect: no queueing, no offer; event offer.accepted). A
// not-ready agent stays not-ready (no offers during the call, not-ready again
// after wrap-up); a ready one is busy, then wrap-up, then ready.
// With `interaction`: checks `agent` holds it connected (403 / 409) and that
// it is voice or callback. Returns {interaction, created, to, queue, customer}.
Core::Fn start_outbound_call(OutboundCall call);

// The customer was not reached (busy, no answer, declined, no trunk): event
// call.failed {interaction, status (SIP status, 0 if none), reason}. With
// `end` (the interaction was created for this call) it is completed at once,
// disposition-free, with data.outcome "not_reached" and data.sip_status; the
// agent is free. Otherwise it stays with the agent (a callback: redial,
// reschedule or complete it with a disposition).
Core::Fn outbound_call_failed(InteractionId i, int status, std::string reason, bool end);

// A call-progress event in the interaction's history, addressed to the agent
// holding it (call.dialing, call.answered).
Core::Fn call_event(InteractionId i, std::string type, nlohmann::json data);

}  // namespace sb::service::commands
