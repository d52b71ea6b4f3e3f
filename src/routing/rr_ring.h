#pragma once
// RoundRobinRing: the successor structure of a round-robin bucket: its
// eligible agents sorted by agent id. Maintained on configuration changes
// only (add/remove an eligible agent: O(n) memmove); pooling and unpooling do
// not touch it: the caller says which agents are free for the bucket.
//
//   next (picking on an arrival)   O(log n + agents skipped as not free)
#include <algorithm>
#include <cstdint>
#include <vector>

namespace sb::routing {

class RoundRobinRing {
 public:
  void add(std::int64_t agent_id, std::uint32_t slot) {
    auto it = lower(agent_id);
    if (it != v_.end() && it->id == agent_id) return;
    v_.insert(it, Entry{agent_id, slot});
  }
  void remove(std::int64_t agent_id) {
    auto it = lower(agent_id);
    if (it != v_.end() && it->id == agent_id) v_.erase(it);
  }

  // Slot of the free agent with the smallest id >= from, else (wrapping) of the
  // free agent with the smallest id; `none` when no agent is free.
  // `free(slot)` tells whether the agent is free for the bucket.
  template <class Free>
  std::uint32_t next(std::int64_t from, const Free& free, std::uint32_t none) const {
    auto start = std::lower_bound(v_.begin(), v_.end(), from, Less{});
    for (auto it = start; it != v_.end(); ++it)
      if (free(it->slot)) return it->slot;
    for (auto it = v_.begin(); it != start; ++it)
      if (free(it->slot)) return it->slot;
    return none;
  }

 private:
  struct Entry {
    std::int64_t id;
    std::uint32_t slot;
  };
  struct Less {
    bool operator()(const Entry& e, std::int64_t id) const { return e.id < id; }
  };
  std::vector<Entry>::iterator lower(std::int64_t id) { return std::lower_bound(v_.begin(), v_.end(), id, Less{}); }
  std::vector<Entry> v_;
};

}  // namespace sb::routing
