#pragma once
// AgentPool: a bucket's available agents, as a binary min-heap of PoolKeys in
// one flat vector (no node allocation; push O(log n), best O(1)).
//
// Entries are cleaned lazily (see pool_key.h): the caller says which entries
// are live. The heap may hold stale entries anywhere and, after an agent was
// re-pooled, a stale and a live entry with equal keys; at most one live entry
// per agent. Contract for the caller: drop_stale_top() before reading top();
// compact_if_grown() after pushes keeps size() <= 2 * (live entries at the last
// compaction) + 64, so at most 2 * (eligible agents) + 64.
#include <algorithm>
#include <vector>

#include "routing/pool_key.h"

namespace sb::routing {

class AgentPool {
 public:
  void push(const PoolKey& k) {
    heap_.push_back(k);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  template <class Live>
  void drop_stale_top(const Live& live) {
    while (!heap_.empty() && !live(heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      heap_.pop_back();
      ++stale_pops_;
    }
  }

  // Drops every stale entry once the pool has grown past twice its size after
  // the previous compaction, plus 64 (amortised O(1) per push, like a vector's
  // doubling), or once half of it (plus 16) has been popped as stale since
  // (stale entries keep reaching the top: one O(size) pass is cheaper than
  // popping the rest one by one, and is paid for by those pops).
  template <class Live>
  void compact_if_grown(const Live& live) {
    if (heap_.size() <= compact_at_ && stale_pops_ < heap_.size() / 2 + 16) return;
    compact(live);
    compact_at_ = 2 * heap_.size() + 64;
    stale_pops_ = 0;
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const PoolKey& top() const { return heap_.front(); }
  // Every entry, in no particular order.
  const std::vector<PoolKey>& entries() const { return heap_; }

 private:
  template <class Live>
  void compact(const Live& live) {
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(), [&](const PoolKey& k) { return !live(k); }), heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), Later{});
  }

  struct Later {
    bool operator()(const PoolKey& a, const PoolKey& b) const { return b < a; }
  };
  std::vector<PoolKey> heap_;
  std::size_t compact_at_ = 64;
  std::size_t stale_pops_ = 0;  // since the last compaction
};

}  // namespace sb::routing
