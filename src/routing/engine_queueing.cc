// Waiting sets: entering, leaving and re-entering queues; overflow; positions.
#include <algorithm>

#include "routing/engine_impl.h"
#include "routing/eta.h"
#include "routing/prefetch.h"

namespace sb::routing {

int Engine::Impl::level_at(const QueueRec& q, Duration waited) const {
  // level_after is sorted; the last step whose `after` has passed wins.
  auto it = std::upper_bound(q.level_after.begin() + 1, q.level_after.end(), waited);
  return static_cast<int>(it - q.level_after.begin()) - 1;
}

void Engine::Impl::refresh_head(std::uint32_t b) {
  const Bucket& B = buckets[b];
  Head& h = heads[b];
  next_hint[b] = B.waiting.second_hint();
  if (B.waiting.empty()) {
    h = Head{};
    return;
  }
  const WaitList::Entry& e = B.waiting.front();
  h.queue_priority = B.queue_priority;
  h.key = e.key;
  h.interaction = e.slot;
}

void Engine::Impl::insert_waiting(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  QueueRec& Q = queues[I.queue];
  I.state = InteractionState::kQueued;
  const WaitKey key = I.key();
  ++Q.waiting;
  if (Q.max_key < key) Q.max_key = key;
  if (I.target != kNone) {
    Q.targeted.insert(key, i);
    I.target_queue_priority = Q.priority;
    agents[I.target].add_target(TargetKey{I.target_queue_priority, key, i});
    I.bucket = kNone;
    cancel_timer(i, TimerKind::kRelax);
    return;
  }
  // Level 0 (a fresh arrival) is read from the record itself.
  const Duration waited = at - I.queue_entered;
  const int level = Q.level_count == 1 || waited < Q.first_step ? 0 : level_at(Q, waited);
  assert(level == level_at(Q, waited));
  I.level = level;
  const std::uint32_t b = level == 0 ? Q.entry_bucket[static_cast<std::size_t>(I.channel)] : Q.bucket_of(level, I.channel);
  assert(b != kNone && b == Q.bucket_of(level, I.channel));
  prefetch_lines(&buckets[b], sizeof(Bucket));
  prefetch_lines(pool_hint[b], sizeof(PoolKey));
  Bucket& B = buckets[b];
  // A bucket with a live pooled agent has nobody waiting (the index
  // invariant), and every caller that can meet one matches `i` at once
  // (match_interaction): `i` is then offered without entering the list only
  // to leave it again (two cache misses fewer on an arrival meeting a free agent).
  B.pool.drop_stale_top([this](const PoolKey& k) { return live(k); });
  I.listed = B.pool.empty();
  if (I.listed) {
    B.waiting.insert(key, i);
    next_hint[b] = B.waiting.second_hint();
    Head& h = heads[b];
    if (!h.valid() || key < h.key) {
      h.queue_priority = Q.priority;
      h.key = key;
      h.interaction = i;
    }
  }
  I.bucket = b;
  if (static_cast<std::uint32_t>(level) + 1 < Q.level_count) {
    const Duration after = level == 0 ? Q.first_step : Q.level_after[static_cast<std::size_t>(level) + 1];
    // Just entered the queue: the step is due at "now + after", so it may join that lane.
    schedule(i, TimerKind::kRelax, I.queue_entered + after, I.queue_entered == at ? after : Duration::zero());
  }
  else
    cancel_timer(i, TimerKind::kRelax);
}

void Engine::Impl::remove_waiting(std::uint32_t i) {
  InteractionRec& I = inter[i];
  assert(I.state == InteractionState::kQueued);
  const WaitKey key = I.key();
  --queues[I.queue].waiting;
  if (I.bucket != kNone && !I.listed) {  // met a free agent on entering (insert_waiting)
    I.bucket = kNone;
  } else if (I.bucket != kNone) {
    std::uint32_t b = I.bucket;
    WaitList& w = buckets[b].waiting;
    if (heads[b].interaction == i) {  // the usual case (offers take heads): no search
      assert(w.front().slot == i);
      w.pop_front();
      refresh_head(b);
    } else {
      [[maybe_unused]] bool found = w.erase(key);
      assert(found);
    }
    I.bucket = kNone;
  } else {
    assert(I.target != kNone);
    [[maybe_unused]] bool found = queues[I.queue].targeted.erase(key);
    assert(found);
    agents[I.target].drop_target(TargetKey{I.target_queue_priority, key, i});
  }
}

int Engine::Impl::position(std::uint32_t i) const {
  const InteractionRec& I = inter[i];
  if (I.state != InteractionState::kQueued) return 0;
  const QueueRec& Q = queues[I.queue];
  // Alone, or last in line (the usual arrival): no walk over the buckets.
  if (Q.waiting == 1 || I.key() == Q.max_key) {
    assert(static_cast<int>(Q.waiting) == ranked_position(i));
    return static_cast<int>(Q.waiting);
  }
  return ranked_position(i);
}

int Engine::Impl::ranked_position(std::uint32_t i) const {
  const InteractionRec& I = inter[i];
  const QueueRec& Q = queues[I.queue];
  const WaitKey key = I.key();
  std::size_t ahead = Q.targeted.rank(key);
  for (std::uint32_t b : Q.buckets)
    if (b != kNone && !buckets[b].waiting.empty()) ahead += buckets[b].waiting.rank(key);
  return static_cast<int>(ahead) + 1;
}

Duration Engine::Impl::estimate(std::uint32_t i) const {
  const InteractionRec& I = inter[i];
  if (I.state != InteractionState::kQueued) return Duration::zero();
  int capacity = I.target != kNone ? 1 : buckets[I.bucket].logged_in_capacity;
  return estimated_wait(position(i), queues[I.queue].aht, capacity);
}

void Engine::Impl::enter_queue(std::uint32_t i, std::uint32_t q, TimePoint at, int hops, bool ignore_hours) {
  InteractionRec& I = inter[i];
  I.queue = q;
  QueueRec& Q = queues[q];
  if (!ignore_hours && !Q.always_open && !Q.cfg.hours.is_open(at)) {
    overflow(i, q, "closed", at, hops);
    return;
  }
  I.queue_entered = at;
  I.overdue = false;
  ++Q.offered;
  if (Q.max_wait > Duration::zero())
    schedule(i, TimerKind::kMaxWait, at + Q.max_wait, Q.max_wait);
  else
    cancel_timer(i, TimerKind::kMaxWait);
  insert_waiting(i, at);
  emit(at, InteractionQueued{I.id, Q.id, I.channel, position(i)});
  match_interaction(i, at);
}

void Engine::Impl::requeue(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  assert(I.offered.empty());
  cancel_timer(i, TimerKind::kOfferTimeout);
  if (I.overdue) {
    I.overdue = false;
    overflow(i, I.queue, "max_wait", at, 0);
    return;
  }
  insert_waiting(i, at);
  emit(at, InteractionQueued{I.id, queues[I.queue].id, I.channel, position(i)});
  match_interaction(i, at);
}

void Engine::Impl::overflow(std::uint32_t i, std::uint32_t from, const char* why, TimePoint at, int hops) {
  InteractionRec& I = inter[i];
  cancel_timer(i, TimerKind::kRelax);
  cancel_timer(i, TimerKind::kMaxWait);
  const QueueRec& F = queues[from];
  std::uint32_t to = F.cfg.overflow_queue ? find_queue(*F.cfg.overflow_queue) : kNone;
  bool usable = to != kNone && queues[to].enabled && (queues[to].accepts & channel_bit(I.channel)) &&
                hops < static_cast<int>(queues.size());
  if (!usable) {
    end_interaction(i, std::string_view(why) == "closed" ? EndReason::kClosed : EndReason::kOverflowDropped, at);
    return;
  }
  I.target = kNone;
  emit(at, Overflowed{I.id, F.id, queues[to].id, why});
  enter_queue(i, to, at, hops + 1);
}

void Engine::Impl::end_interaction(std::uint32_t i, EndReason r, TimePoint at) {
  InteractionRec& I = inter[i];
  std::optional<AgentId> agent;
  Duration waited = at - I.enqueued;
  if (I.agent != kNone) {
    agent = agents[I.agent].id;
    waited = I.accepted_at - I.enqueued;
  }
  emit(at, InteractionEnded{I.id, queues[I.queue].id, r, agent, waited});
  free_interaction(i);
}

}  // namespace sb::routing
