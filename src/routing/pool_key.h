#pragma once
// Key under which an available agent sits in a bucket's pool. Smaller is
// better; `agent_id` breaks every tie so that the order is deterministic.
#include <cstdint>

namespace sb::routing {

struct PoolKey {
  std::int64_t primary = 0;    // strategy-specific (see strategy.h)
  std::int64_t secondary = 0;  // usually idle-since micros
  std::int64_t agent_id = 0;
  std::uint32_t agent = 0;     // agent slot (not part of the order)

  friend bool operator<(const PoolKey& a, const PoolKey& b) {
    if (a.primary != b.primary) return a.primary < b.primary;
    if (a.secondary != b.secondary) return a.secondary < b.secondary;
    return a.agent_id < b.agent_id;
  }
};

}  // namespace sb::routing
