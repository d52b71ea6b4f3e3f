#pragma once
// One agent as the engine holds it: configuration, presence, work in hand and
// its place in the routing index. The capacity model lives here:
//
//  * An agent holds interactions (connected or in wrap-up); each counts
//    against capacity[channel] and against max_total (when non-zero).
//  * Phone channels (voice, callback) are exclusive: an agent holding one gets
//    no further offers at all, and an agent holding anything gets no phone offer.
//  * At most one pending offer per agent; while it is pending the agent is
//    Reserved and gets no other offer.
//  * Not-ready agents keep their work but get no offers.
//
// The displayed AgentState is derived from these facts (derive_state).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "routing/slot_list.h"
#include "routing/types.h"
#include "routing/wait_key.h"

namespace sb::routing {

inline constexpr bool is_phone(Channel c) { return c == Channel::kVoice || c == Channel::kCallback; }
inline constexpr std::uint32_t channel_bit(Channel c) { return 1u << static_cast<unsigned>(c); }

// One bucket this agent is eligible for (skills and channel capacity).
struct Membership {
  std::uint32_t bucket = kNone;
  Channel channel{};
  int score = 0;         // sum of proficiencies on the bucket's required skills
  int queue_priority = 0;  // the bucket's queue priority (buckets are rebuilt when it changes)
};

// Memberships are kept in this order: queue priority descending, then bucket.
// An agent looking for work stops at the first priority below the best head found.
inline bool membership_order(const Membership& x, const Membership& y) {
  return x.queue_priority != y.queue_priority ? x.queue_priority > y.queue_priority : x.bucket < y.bucket;
}

// Compact copy of a Membership for the decision scan (match_agent): 8 bytes,
// so that an agent's first queue-priority group spans few cache lines.
// `group_start`: first membership of its queue priority (the scan stops at the
// next group once it has found work).
struct ScanEntry {
  std::uint32_t bucket = kNone;
  Channel channel{};
  bool group_start = false;
};

// Field order: everything a decision reads or writes about the agent (its
// derived state, capacity model, work in hand, reported state) fills the
// first two cache lines of the record (64-byte aligned); the scan list and
// pool keys are on the third; configuration, memberships and strings are cold.
// `id`, `capacity` and `max_total` are copies of `cfg`'s, kept by set_config.
struct alignas(64) AgentRec {
  // --- line 0 ---
  AgentId id;
  std::uint32_t offer = kNone;        // interaction slot of the pending offer
  int wrapups = 0;                    // held interactions in wrap-up
  ChannelCounts load;
  int max_total = 0;                  // cfg.max_total
  AgentState state = AgentState::kLoggedOut;  // as last reported
  bool logged_in = false;
  bool not_ready = false;
  bool pooled = false;
  bool has_state_reason = false;      // !state_reason.empty()
  TimePoint state_since{};
  // --- line 1 ---
  ChannelCounts capacity;             // cfg.capacity
  std::uint32_t targeted_count = 0;   // targeted.size()
  TimePoint idle_since{};             // last became ready or finished an interaction
  SlotList held;                      // interaction slots, connected or in wrap-up
  // --- line 2 ---
  std::vector<ScanEntry> scan;        // parallel to `member`; rebuilt by index_memberships
  std::uint32_t pool_generation = 0;  // see pool_key.h
  std::int64_t pooled_idle = 0;       // keys used when pooled (to find them again)
  std::int64_t pooled_occupancy = 0;
  // --- cold ---
  AgentConfig cfg;
  std::vector<Membership> member;     // sorted by membership_order
  std::set<TargetKey> targeted;       // interactions waiting for this agent only
  std::string state_reason;           // as last reported
  std::string not_ready_reason;

  void set_config(const AgentConfig& c) {
    cfg = c;
    id = c.id;
    capacity = c.capacity;
    max_total = c.max_total;
  }
  void add_target(const TargetKey& t) {
    targeted.insert(t);
    targeted_count = static_cast<std::uint32_t>(targeted.size());
  }
  void drop_target(const TargetKey& t) {
    targeted.erase(t);
    targeted_count = static_cast<std::uint32_t>(targeted.size());
  }
};
// offsetof on a record holding std::set is conditionally supported; GCC and Clang support it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
static_assert(offsetof(AgentRec, state_since) + sizeof(TimePoint) <= 64, "line 0");
static_assert(offsetof(AgentRec, capacity) == 64 && offsetof(AgentRec, held) + sizeof(SlotList) <= 128, "line 1");
static_assert(offsetof(AgentRec, pooled_occupancy) + sizeof(std::int64_t) <= 192, "line 2");
#pragma GCC diagnostic pop

// Sorts `member` (membership_order) and rebuilds `scan` from it. Call after
// every change to `member`.
void index_memberships(AgentRec& a);

// Channels the agent may be offered right now (bit per channel; 0 = none).
std::uint32_t takeable_mask(const AgentRec& a);

// Why the agent cannot start work of channel `c` themself (an outbound call),
// or nullptr when they can: logged in, no offer ringing, and the capacity
// model above allows `c` (phone work exclusive), whatever the not-ready flag
// says — a not-ready agent may place a call; it only gets no offers.
const char* cannot_start(const AgentRec& a, Channel c);

// Load as parts per million of capacity (max over channels, and of max_total).
std::int64_t occupancy_ppm(const AgentRec& a);

AgentState derive_state(const AgentRec& a);

// Reason reported with the derived state ("" unless not-ready).
const std::string& derived_reason(const AgentRec& a);

}  // namespace sb::routing
