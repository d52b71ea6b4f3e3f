#include "routing/strategy.h"

#include <cassert>

namespace sb::routing {

PoolKey pool_key(Strategy s, const AgentRec& a, std::uint32_t agent_slot, int score) {
  PoolKey k;
  k.agent_id = a.cfg.id.value;
  k.agent = agent_slot;
  k.secondary = a.pooled_idle;
  switch (s) {
    case Strategy::kLongestIdle:
    case Strategy::kRingAll:
      break;
    case Strategy::kMostSkilled:
      k.primary = -score;
      break;
    case Strategy::kLeastOccupied:
      k.primary = a.pooled_occupancy;
      break;
    case Strategy::kRoundRobin:
      k.secondary = 0;
      break;
  }
  return k;
}

void pick_agents(Strategy s, Channel c, const std::set<PoolKey>& pool, std::int64_t rr_last,
                 std::vector<std::uint32_t>& out) {
  assert(!pool.empty());
  out.clear();
  if (s == Strategy::kRingAll && c == Channel::kVoice) {
    for (const PoolKey& k : pool) out.push_back(k.agent);
    return;
  }
  if (s == Strategy::kRoundRobin) {
    PoolKey probe;
    probe.agent_id = rr_last == INT64_MAX ? INT64_MAX : rr_last + 1;
    auto it = pool.lower_bound(probe);
    out.push_back(it == pool.end() ? pool.begin()->agent : it->agent);
    return;
  }
  out.push_back(pool.begin()->agent);
}

}  // namespace sb::routing
