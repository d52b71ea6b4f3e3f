#pragma once
// Engine internals shared by engine*.cc. Not part of the public API.
//
// Storage: agents, queues and interactions live in slot vectors addressed by
// uint32 slots; flat hash maps (id_map.h) translate public ids to slots. Interactions are
// freed (slot reused) when they end.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "routing/agent_rec.h"
#include "routing/bucket.h"
#include "routing/engine.h"
#include "routing/id_map.h"
#include "routing/slot_list.h"
#include "routing/timer_heap.h"

namespace sb::routing {

// Hot fields first: the first two cache lines (the record is 64-byte aligned)
// hold everything an offer, accept or complete touches; the rest is cold.
struct alignas(64) InteractionRec {
  // --- line 0: identity, order key, place ---
  InteractionId id;
  TimePoint enqueued{};         // order key; kept on offer return, callback and overflow
  std::uint64_t seq = 0;
  std::uint32_t queue = kNone;
  int priority = 0;
  std::uint32_t bucket = kNone; // while queued and not targeted
  std::uint32_t target = kNone; // preferred agent slot
  std::uint32_t agent = kNone;  // connected agent slot
  bool alive = false;
  Channel channel = Channel::kVoice;
  bool listed = false;          // queued in its bucket's list (else about to be offered: insert_waiting)
  InteractionState state = InteractionState::kQueued;
  bool overdue = false;         // max wait passed while offered
  bool callback = false;
  TimePoint offer_expires{};
  // --- line 1: timers and offers ---
  std::uint64_t tokens[kTimerKinds] = {};
  SlotList offered;             // agent slots holding an offer
  TimePoint accepted_at{};
  // --- cold ---
  TimePoint queue_entered{};    // relaxation and max-wait clock of the current queue
  int level = 0;                // requirement level (bucket) while queued
  TimePoint wrapup_ends{};
  int target_queue_priority = 0; // queue priority stored in the agent's TargetKey
  CustomerId customer;
  std::string from;
  std::string callback_number;

  WaitKey key() const { return WaitKey{priority, to_micros(enqueued), seq}; }
};
static_assert(offsetof(InteractionRec, accepted_at) + sizeof(TimePoint) <= 128, "hot fields span two cache lines");

// Field order: what offers, accepts, completions and arrivals read or write
// fills the first line (64-byte aligned), what arrivals also need the next two;
// configuration and the rest of the index are cold. `id`, `priority`, `offer_timeout`,
// `sl_threshold`, `max_wait`, `wrapup`, `enabled` and `always_open` are copies
// of `cfg`'s, kept by set_config.
struct alignas(64) QueueRec {
  // --- line 0 ---
  QueueId id;
  Duration offer_timeout{};
  Duration sl_threshold{};
  Duration max_wait{};
  Duration aht{};
  std::int64_t rr_last = 0;                  // round-robin pointer: last agent id offered
  int priority = 0;
  std::uint32_t accepts = 0;                 // channel bits (callback implied by voice)
  int offered = 0, answered = 0;
  // --- line 1 ---
  int answered_in_sl = 0, abandoned = 0;
  Duration wrapup{};
  bool alive = false;
  bool enabled = true;
  bool always_open = true;                   // cfg.hours.open.empty()
  // Waiting interactions (targeted included) and the largest WaitKey that
  // ever entered the queue: an interaction with that key is last in line
  // (position() in O(1) for arrivals).
  std::uint32_t waiting = 0;
  WaitKey max_key{std::numeric_limits<int>::max(), std::numeric_limits<std::int64_t>::min(), 0};  // below any real key
  // What an arrival needs of the index without reading the vectors below
  // (kept by build_queue): level_after.size(), level_after[1] (when there is
  // a step) and the level-0 bucket of each channel (bucket_of(0, c)).
  std::uint32_t level_count = 0;
  Duration first_step{};
  std::uint32_t entry_bucket[kChannelCount] = {};
  std::vector<Duration> level_after;         // level k applies after waiting level_after[k]
  std::vector<std::uint32_t> buckets;        // [level * kChannelCount + channel], kNone if absent
  // --- cold ---
  QueueConfig cfg;
  std::vector<std::vector<SkillRequirement>> levels;  // level 0 = base requirements
  WaitList targeted;                         // waiting interactions with a preferred agent

  std::uint32_t bucket_of(int level, Channel c) const {
    return buckets[static_cast<std::size_t>(level) * kChannelCount + static_cast<std::size_t>(c)];
  }
  void set_config(const QueueConfig& c) {
    cfg = c;
    id = c.id;
    priority = c.priority;
    offer_timeout = c.offer_timeout;
    sl_threshold = c.sl_threshold;
    max_wait = c.max_wait;
    wrapup = c.wrapup;
    enabled = c.enabled;
    always_open = c.hours.open.empty();
  }
};

struct Engine::Impl {
  explicit Impl(EventSink& s) : sink(s) {}

  EventSink& sink;
  TimePoint clock{};          // latest `now` seen
  std::uint64_t next_seq = 0;

  std::vector<QueueRec> queues;
  IdMap queue_slot{true};     // ids of the records in `queues` (QueueRec::id)
  std::vector<AgentRec> agents;
  // Per agent slot: its pool generation while pooled, else 0 (generations start
  // at 1). Dense copy of AgentRec::pooled/pool_generation for pool liveness checks.
  std::vector<std::uint32_t> live_gen;
  // Per agent slot: the channel mask it was pooled with, else 0. An agent is
  // free for a bucket it is eligible for iff its bit for the bucket's channel
  // is set (what RoundRobinRing picks by).
  std::vector<std::uint32_t> live_mask;
  // Per agent slot: AgentRec::scan.data(), kept by index_agent. Lets a caller
  // prefetch the scan list as soon as it knows the slot, together with the
  // record (a hint: never read through).
  std::vector<const ScanEntry*> scan_hint;
  IdMap agent_slot{true};     // AgentRec::id
  std::vector<InteractionRec> inter;
  std::vector<std::uint32_t> free_inter;
  IdMap inter_slot;           // InteractionRec::id of live interactions
  std::size_t live_interactions = 0;

  std::vector<Bucket> buckets;
  std::vector<Head> heads;            // parallel to buckets
  // Parallel to buckets: WaitList::second_hint() of the bucket's list as of
  // its last head change. Prefetched when the head is taken (the next head is
  // read then); a hint, never read through.
  std::vector<const void*> next_hint;
  // Parallel to buckets: where the bucket's pool heap starts (its top) as of
  // the last push. Prefetched with the bucket when an interaction enters it.
  std::vector<const void*> pool_hint;
  mutable TimerHeap timers;
  std::vector<std::uint32_t> picks;   // reused by match_interaction
  std::vector<std::uint32_t> one;     // reused by match_agent

  // --- lookups (kNone when unknown) ---
  std::uint32_t find_queue(QueueId q) const;
  std::uint32_t find_agent(AgentId a) const;
  std::uint32_t find_interaction(InteractionId i) const;
  void touch(TimePoint now) { if (now > clock) clock = now; }

  template <class E>
  void emit(TimePoint at, E&& e) { sink.on_event(at, Event(std::forward<E>(e))); }
  // Same, building the event in place from its fields (no temporary to move from).
  template <class E, class... Fields>
  void emit_new(TimePoint at, Fields&&... f) { sink.on_event(at, Event(std::in_place_type<E>, std::forward<Fields>(f)...)); }

  // --- configuration (engine_config.cc) ---
  void build_queue(std::uint32_t q, TimePoint now);
  void add_memberships(std::uint32_t a);
  void index_agent(std::uint32_t a);  // index_memberships, then scan_hint
  void drop_memberships(std::uint32_t a);
  void retire_buckets(std::uint32_t q);
  std::uint32_t new_interaction_slot();
  // Sets up `spec`'s record in a new slot (slots are reused: every field the
  // arrival owns is set here), its slot in *slot. Not yet in a queue or index.
  InteractionRec& new_record(const InteractionSpec& spec, std::uint32_t target, TimePoint now, std::uint32_t* slot);
  void free_interaction(std::uint32_t i);

  // --- waiting sets (engine_queueing.cc) ---
  int level_at(const QueueRec& q, Duration waited) const;
  // Queues `i` (state kQueued). Contract: the caller calls match_interaction(i)
  // next whenever the bucket may have a free agent (see `listed`).
  void insert_waiting(std::uint32_t i, TimePoint at);
  void remove_waiting(std::uint32_t i);
  void refresh_head(std::uint32_t b);
  int position(std::uint32_t i) const;         // 1-based; 0 when not queued
  int ranked_position(std::uint32_t i) const;  // position() by ranking in every list of the queue
  // Puts `i` into queue `q` (InteractionQueued, then matching). A closed queue
  // overflows instead unless `ignore_hours`. `i` may have ended on return.
  void enter_queue(std::uint32_t i, std::uint32_t q, TimePoint at, int hops, bool ignore_hours = false);
  void requeue(std::uint32_t i, TimePoint at);  // after offers ended without accept
  void overflow(std::uint32_t i, std::uint32_t from, const char* why, TimePoint at, int hops);
  void end_interaction(std::uint32_t i, EndReason r, TimePoint at);
  Duration estimate(std::uint32_t i) const;

  // --- agents and matching (engine_match.cc) ---
  void pool(std::uint32_t a, std::uint32_t mask);  // mask: takeable_mask(agent), not 0
  void unpool(std::uint32_t a);  // O(1): the agent's entries go stale (generation)
  // A pool entry is live while its agent is pooled with the entry's generation.
  bool live(const PoolKey& k) const { return live_gen[k.agent] == k.generation; }
  void emit_state(std::uint32_t a, TimePoint at);
  void refresh_agent(std::uint32_t a, TimePoint at);
  bool match_agent(std::uint32_t a, std::uint32_t mask, TimePoint at);  // mask as for pool()
  void match_interaction(std::uint32_t i, TimePoint at);
  void offer(std::uint32_t i, const std::vector<std::uint32_t>& to, TimePoint at);
  void cancel_timer(std::uint32_t i, TimerKind k);
  // `lane`: the fixed duration when `at` is "now + lane" (see timer_heap.h); zero otherwise.
  void schedule(std::uint32_t i, TimerKind k, TimePoint at, Duration lane = Duration::zero());
  // Voids every pending offer of `i` (OfferRevoked each); returns the agents.
  void revoke_offers(std::uint32_t i, std::vector<std::uint32_t>& agents, TimePoint at);
  void detach(std::uint32_t i, TimePoint at);     // releases the connected agent's capacity
  void finish(std::uint32_t i, TimePoint at);     // completed by the agent
  void on_timer(const Timer& t, TimePoint at);

  // --- helpers of the public calls ---
  void add_logged_in_capacity(std::uint32_t a, int sign);
  // Takes `i` out of wherever it is (queue, offers, agent) before it re-enters
  // a queue with a fresh enqueued time. Returns agents to refresh afterwards.
  std::vector<std::uint32_t> lift(std::uint32_t i, TimePoint now);

  // --- snapshots (engine_query.cc) ---
  AgentSnapshot agent_snapshot(const AgentRec& a) const;
  InteractionSnapshot interaction_snapshot(std::uint32_t i, int position) const;
  QueueSnapshot queue_snapshot(std::uint32_t q, TimePoint now) const;
  std::vector<std::uint32_t> waiting_slots(std::uint32_t q) const;  // in offer order
  bool timer_live(const Timer& t) const;
};

}  // namespace sb::routing
