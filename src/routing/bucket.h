#pragma once
// A bucket is one (queue, requirement level, channel) cell of the routing
// index. It holds the interactions waiting there, in offer order, and the
// agents that are eligible for it and free to take its channel right now,
// ordered by the queue's strategy key.
//
// Invariant between engine calls: a bucket never has both waiting
// interactions and live pooled agents (the engine would have matched them).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/channel.h"
#include "routing/agent_pool.h"
#include "routing/rr_ring.h"
#include "routing/types.h"
#include "routing/wait_key.h"
#include "routing/wait_list.h"

namespace sb::routing {

// Field order: taking the head (remove_waiting, refresh_head) reads the first
// cache line only (the record is 64-byte aligned); matching an arrival reads
// the second.
struct alignas(64) Bucket {
  // --- line 0 ---
  WaitList waiting;                     // interaction slots in offer order
  std::uint32_t queue = kNone;
  int queue_priority = 0;               // the queue's (buckets are rebuilt when it changes)
  // --- line 1 ---
  Channel channel = Channel::kVoice;
  Strategy strategy = Strategy::kLongestIdle;
  bool alive = true;
  int level = 0;
  AgentPool pool;                       // available agents, best on top (may hold stale entries)
  RoundRobinRing ring;                  // round_robin buckets only: successor by agent id
  // Live entries are not counted: unpooling only bumps the agent's generation.
  std::vector<std::uint32_t> eligible;  // agent slots with this bucket in their memberships
  int logged_in_capacity = 0;           // sum of capacity[channel] over logged-in eligible agents
};

// offsetof on a record holding vectors is conditionally supported; GCC and Clang support it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
static_assert(offsetof(Bucket, queue_priority) + sizeof(int) <= 64, "line 0");
#pragma GCC diagnostic pop

}  // namespace sb::routing
