#pragma once
// A bucket is one (queue, requirement level, channel) cell of the routing
// index. It holds the interactions waiting there, in offer order, and the
// agents that are eligible for it and free to take its channel right now,
// ordered by the queue's strategy key.
//
// Invariant between engine calls: a bucket never has both waiting
// interactions and live pooled agents (the engine would have matched them).
#include <cstdint>
#include <vector>

#include "core/channel.h"
#include "routing/agent_pool.h"
#include "routing/rr_ring.h"
#include "routing/types.h"
#include "routing/wait_key.h"
#include "routing/wait_list.h"

namespace sb::routing {

struct Bucket {
  std::uint32_t queue = kNone;
  int level = 0;
  Channel channel = Channel::kVoice;
  Strategy strategy = Strategy::kLongestIdle;
  bool alive = true;
  WaitList waiting;                     // interaction slots in offer order
  AgentPool pool;                       // available agents, best on top (may hold stale entries)
  RoundRobinRing ring;                  // round_robin buckets only: successor by agent id
  // Live entries are not counted: unpooling only bumps the agent's generation.
  std::vector<std::uint32_t> eligible;  // agent slots with this bucket in their memberships
  int logged_in_capacity = 0;           // sum of capacity[channel] over logged-in eligible agents
};

}  // namespace sb::routing
