#pragma once
// Ordering keys of waiting interactions. Within a queue: interaction priority
// (higher first), then enqueued time (earlier first), then arrival sequence.
// Across queues (an agent choosing work) the queue priority comes first.
#include <cstdint>
#include <limits>

namespace sb::routing {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct WaitKey {
  int priority = 0;
  std::int64_t enqueued = 0;  // micros
  std::uint64_t seq = 0;      // unique per interaction entry; makes keys unique

  friend bool operator<(const WaitKey& a, const WaitKey& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.enqueued != b.enqueued) return a.enqueued < b.enqueued;
    return a.seq < b.seq;
  }
  friend bool operator==(const WaitKey&, const WaitKey&) = default;
};

// The first waiting interaction of a bucket, cached in a flat array so that an
// agent can compare the heads of all its buckets without touching the trees.
// 32 bytes: two heads per cache line.
struct Head {
  int queue_priority = 0;
  std::uint32_t interaction = kNone;  // kNone: nobody waits in the bucket
  WaitKey key;
  bool valid() const { return interaction != kNone; }
};

// True when `a` should be served before `b` (queue priority, then WaitKey).
inline bool serves_before(int qa, const WaitKey& a, int qb, const WaitKey& b) {
  if (qa != qb) return qa > qb;
  return a < b;
}

// A targeted (preferred-agent) interaction in its agent's list.
struct TargetKey {
  int queue_priority = 0;
  WaitKey key;
  std::uint32_t interaction = kNone;
  friend bool operator<(const TargetKey& a, const TargetKey& b) {
    return serves_before(a.queue_priority, a.key, b.queue_priority, b.key);
  }
};

}  // namespace sb::routing
