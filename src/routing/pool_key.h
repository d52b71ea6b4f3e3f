#pragma once
// Key under which an available agent sits in a bucket's pool. Smaller is
// better; `agent_id` breaks every tie so that the order is deterministic.
//
// Pools are cleaned lazily: when an agent stops being available the engine
// only bumps its pool generation; an entry is live while `generation` equals
// the agent's current one and the agent is pooled. Stale entries are dropped
// when they reach the top of a pool or when a pool compacts (agent_pool.h).
#include <cstdint>

namespace sb::routing {

struct PoolKey {
  std::int64_t primary = 0;    // strategy-specific (see strategy.h)
  std::int64_t secondary = 0;  // usually idle-since micros
  std::int64_t agent_id = 0;
  std::uint32_t agent = 0;     // agent slot (not part of the order)
  std::uint32_t generation = 0;  // agent's pool generation at insertion (not part of the order)

  friend bool operator<(const PoolKey& a, const PoolKey& b) {
    if (a.primary != b.primary) return a.primary < b.primary;
    if (a.secondary != b.secondary) return a.secondary < b.secondary;
    return a.agent_id < b.agent_id;
  }
};

}  // namespace sb::routing
