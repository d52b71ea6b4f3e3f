#pragma once
// JSON shapes of routing events and snapshots, shared by the event log, the
// WebSocket stream and the REST API, so that all three say the same thing.
#include <nlohmann/json.hpp>

#include "routing/engine.h"

namespace sb::service {

// {"type":"offer.created", ...fields of the event...}; ids are numbers, durations seconds.
nlohmann::json to_json(const routing::Event& e);
nlohmann::json to_json(const routing::AgentSnapshot& a);
nlohmann::json to_json(const routing::InteractionSnapshot& i);
nlohmann::json to_json(const routing::QueueSnapshot& q);

// The agents an event concerns (the offered agents, the agent whose state changed, ...).
std::vector<AgentId> agents_of(const routing::Event& e);
std::optional<InteractionId> interaction_of(const routing::Event& e);
std::optional<QueueId> queue_of(const routing::Event& e);

}  // namespace sb::service
