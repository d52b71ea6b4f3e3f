#include "routing/strategy.h"


namespace sb::routing {

PoolKey pool_key(Strategy s, const AgentRec& a, std::uint32_t agent_slot, int score) {
  PoolKey k;
  k.agent_id = a.id.value;
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

}  // namespace sb::routing
