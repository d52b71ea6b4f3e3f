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
#include <cstdint>
#include <set>
#include <string>
#include <vector>

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

// Field order keeps what a decision touches in five cache lines (the record is
// 64-byte aligned): cfg's id and capacity (lines 0-1), the hot fields (2-3),
// the targeted list's header and the reported reason (4); the rest is cold.
// Compact copy of a Membership for the decision scan (match_agent): 8 bytes,
// so that an agent's first queue-priority group spans few cache lines.
// `group_start`: first membership of its queue priority (the scan stops at the
// next group once it has found work).
struct ScanEntry {
  std::uint32_t bucket = kNone;
  Channel channel{};
  bool group_start = false;
};

struct alignas(64) AgentRec {
  AgentConfig cfg;
  std::uint32_t offer = kNone;        // interaction slot of the pending offer
  int wrapups = 0;                    // held interactions in wrap-up
  ChannelCounts load;
  std::uint32_t pool_generation = 0;  // see pool_key.h
  TimePoint idle_since{};             // last became ready or finished an interaction
  std::int64_t pooled_idle = 0;       // keys used when pooled (to find them again)
  std::int64_t pooled_occupancy = 0;
  TimePoint state_since{};
  std::vector<std::uint32_t> held;    // interaction slots, connected or in wrap-up
  std::vector<Membership> member;     // sorted by membership_order
  std::vector<ScanEntry> scan;        // parallel to `member`; rebuilt by index_memberships
  AgentState state = AgentState::kLoggedOut;  // as last reported
  bool logged_in = false;
  bool not_ready = false;
  bool pooled = false;
  std::set<TargetKey> targeted;       // interactions waiting for this agent only
  std::string state_reason;           // as last reported
  std::string not_ready_reason;
};

// Sorts `member` (membership_order) and rebuilds `scan` from it. Call after
// every change to `member`.
void index_memberships(AgentRec& a);

// Channels the agent may be offered right now (bit per channel; 0 = none).
std::uint32_t takeable_mask(const AgentRec& a);

// Load as parts per million of capacity (max over channels, and of max_total).
std::int64_t occupancy_ppm(const AgentRec& a);

AgentState derive_state(const AgentRec& a);

// Reason reported with the derived state ("" unless not-ready).
const std::string& derived_reason(const AgentRec& a);

}  // namespace sb::routing
