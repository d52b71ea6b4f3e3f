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
#include <set>
#include <vector>

#include "routing/agent_rec.h"
#include "routing/pool_key.h"

namespace sb::routing {

PoolKey pool_key(Strategy s, const AgentRec& a, std::uint32_t agent_slot, int score);

// Agents to offer to from a pool with live entries, best first (several only
// for ring-all on voice). `rr_last` is the queue's round-robin pointer;
// `live(key)` tells live entries from stale ones.
template <class Live>
void pick_agents(Strategy s, Channel c, const std::set<PoolKey>& pool, std::int64_t rr_last, const Live& live,
                 std::vector<std::uint32_t>& out) {
  out.clear();
  if (s == Strategy::kRingAll && c == Channel::kVoice) {
    for (const PoolKey& k : pool)
      if (live(k)) out.push_back(k.agent);
    return;
  }
  auto first_live = [&](auto it) {
    while (it != pool.end() && !live(*it)) ++it;
    return it;
  };
  auto it = pool.end();
  if (s == Strategy::kRoundRobin) {
    PoolKey probe;
    probe.agent_id = rr_last == INT64_MAX ? INT64_MAX : rr_last + 1;
    it = first_live(pool.lower_bound(probe));
  }
  if (it == pool.end()) it = first_live(pool.begin());
  if (it != pool.end()) out.push_back(it->agent);
}

}  // namespace sb::routing
