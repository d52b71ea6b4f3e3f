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
  bool in_pool = false;
};

// Memberships are kept in this order: queue priority descending, then bucket.
// An agent looking for work stops at the first priority below the best head found.
inline bool membership_order(const Membership& x, const Membership& y) {
  return x.queue_priority != y.queue_priority ? x.queue_priority > y.queue_priority : x.bucket < y.bucket;
}

struct AgentRec {
  AgentConfig cfg;
  bool logged_in = false;
  bool not_ready = false;
  std::string not_ready_reason;
  std::uint32_t offer = kNone;        // interaction slot of the pending offer
  std::vector<std::uint32_t> held;    // interaction slots, connected or in wrap-up
  ChannelCounts load;
  int wrapups = 0;                    // held interactions in wrap-up
  TimePoint idle_since{};             // last became ready or finished an interaction
  AgentState state = AgentState::kLoggedOut;  // as last reported
  std::string state_reason;                   // as last reported
  TimePoint state_since{};
  std::vector<Membership> member;     // sorted by membership_order
  bool pooled = false;
  std::uint32_t pool_generation = 0;  // see pool_key.h
  std::int64_t pooled_idle = 0;       // keys used when pooled (to find them again)
  std::int64_t pooled_occupancy = 0;
  std::set<TargetKey> targeted;       // interactions waiting for this agent only
};

// Channels the agent may be offered right now (bit per channel; 0 = none).
std::uint32_t takeable_mask(const AgentRec& a);

// Load as parts per million of capacity (max over channels, and of max_total).
std::int64_t occupancy_ppm(const AgentRec& a);

AgentState derive_state(const AgentRec& a);

// Reason reported with the derived state ("" unless not-ready).
const std::string& derived_reason(const AgentRec& a);

}  // namespace sb::routing
