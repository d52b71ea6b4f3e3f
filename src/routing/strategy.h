#pragma once
// Agent-selection strategies, expressed as the order of a bucket's pool of
// available agents (smaller PoolKey = chosen first) plus a pick rule.
//
//   longest_idle    idle_since ascending (idle since the agent last became
//                   ready or last finished an interaction)
//   most_skilled    sum of proficiencies on the required skills descending,
//                   then longest idle
//   least_occupied  occupancy (max over channels of load/capacity) ascending,
//                   then longest idle
//   round_robin     agent id ascending; the queue keeps the id of the agent it
//                   offered to last and picks the next higher id, wrapping
//   ring_all        voice: every agent in the pool at once; other channels
//                   behave as longest_idle
#include <algorithm>
#include <cstdint>
#include <vector>

#include "routing/agent_pool.h"
#include "routing/agent_rec.h"
#include "routing/pool_key.h"
#include "routing/rr_ring.h"

namespace sb::routing {

PoolKey pool_key(Strategy s, const AgentRec& a, std::uint32_t agent_slot, int score);

// Agents to offer to from a pool with live entries, best first (several only
// for ring-all on voice). `rr_last` is the queue's round-robin pointer and
// `ring` the bucket's eligible agents by id (round robin only); `live(key)`
// tells live entries from stale ones and `free(slot)` whether an agent is free
// for the bucket (has a live entry). The pool's top must be live.
template <class Live, class Free>
void pick_agents(Strategy s, Channel c, const AgentPool& pool, const RoundRobinRing& ring, std::int64_t rr_last,
                 const Live& live, const Free& free, std::vector<std::uint32_t>& out) {
  out.clear();
  if (s == Strategy::kRingAll && c == Channel::kVoice) {
    std::vector<PoolKey> all;
    for (const PoolKey& k : pool.entries())
      if (live(k)) all.push_back(k);
    std::sort(all.begin(), all.end());
    for (const PoolKey& k : all) out.push_back(k.agent);
    return;
  }
  if (s == Strategy::kRoundRobin) {
    // The smallest live id after the pointer, else (wrapping) the smallest
    // live id, which is also the pool's top.
    const std::int64_t from = rr_last == INT64_MAX ? INT64_MAX : rr_last + 1;
    const std::uint32_t next = ring.next(from, free, UINT32_MAX);
    if (next != UINT32_MAX) {
      out.push_back(next);
      return;
    }
  }
  out.push_back(pool.top().agent);
}

}  // namespace sb::routing
