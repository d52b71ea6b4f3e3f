#pragma once
// A bucket is one (queue, requirement level, channel) cell of the routing
// index. It holds the interactions waiting there, in offer order, and the
// agents that are eligible for it and free to take its channel right now,
// ordered by the queue's strategy key.
//
// Invariant between engine calls: a bucket never has both waiting
// interactions and live pooled agents (the engine would have matched them).
#include <cstdint>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <vector>

#include "core/channel.h"
#include "routing/agent_pool.h"
#include "routing/types.h"
#include "routing/wait_key.h"

namespace sb::routing {

// Order-statistics tree: O(log n) insert, erase and rank (queue position).
using WaitTree = __gnu_pbds::tree<WaitKey, std::uint32_t, std::less<WaitKey>, __gnu_pbds::rb_tree_tag,
                                  __gnu_pbds::tree_order_statistics_node_update>;

struct Bucket {
  std::uint32_t queue = kNone;
  int level = 0;
  Channel channel = Channel::kVoice;
  Strategy strategy = Strategy::kLongestIdle;
  bool alive = true;
  WaitTree waiting;                     // value: interaction slot
  AgentPool pool;                       // available agents, best on top (may hold stale entries)
  // Live entries in `pool`: Engine::Impl::pool_live[bucket] (a dense array, so
  // that unpooling an agent from its ~50 buckets touches few cache lines).
  std::vector<std::uint32_t> eligible;  // agent slots with this bucket in their memberships
  int logged_in_capacity = 0;           // sum of capacity[channel] over logged-in eligible agents
};

}  // namespace sb::routing
