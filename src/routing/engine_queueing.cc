// Waiting sets: entering, leaving and re-entering queues; overflow; positions.
#include <algorithm>

#include "routing/engine_impl.h"
#include "routing/eta.h"

namespace sb::routing {

int Engine::Impl::level_at(const QueueRec& q, Duration waited) const {
  // level_after is sorted; the last step whose `after` has passed wins.
  auto it = std::upper_bound(q.level_after.begin() + 1, q.level_after.end(), waited);
  return static_cast<int>(it - q.level_after.begin()) - 1;
}

void Engine::Impl::refresh_head(std::uint32_t b) {
  const Bucket& B = buckets[b];
  Head& h = heads[b];
  if (B.waiting.empty()) {
    h = Head{};
    return;
  }
  const WaitList::Entry& e = B.waiting.front();
  h.queue_priority = queues[B.queue].cfg.priority;
  h.key = e.key;
  h.interaction = e.slot;
}

void Engine::Impl::insert_waiting(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  QueueRec& Q = queues[I.queue];
  I.state = InteractionState::kQueued;
  const WaitKey key = I.key();
  if (I.target != kNone) {
    Q.targeted.insert(key, i);
    I.target_queue_priority = Q.cfg.priority;
    agents[I.target].targeted.insert(TargetKey{I.target_queue_priority, key, i});
    I.bucket = kNone;
    cancel_timer(i, TimerKind::kRelax);
    return;
  }
  int level = level_at(Q, at - I.queue_entered);
  I.level = level;
  std::uint32_t b = Q.bucket_of(level, I.channel);
  assert(b != kNone);
  buckets[b].waiting.insert(key, i);
  Head& h = heads[b];
  if (!h.valid() || key < h.key) {
    h.queue_priority = Q.cfg.priority;
    h.key = key;
    h.interaction = i;
  }
  I.bucket = b;
  if (static_cast<std::size_t>(level) + 1 < Q.levels.size()) {
    const Duration after = Q.level_after[static_cast<std::size_t>(level) + 1];
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
  if (I.bucket != kNone) {
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
    agents[I.target].targeted.erase(TargetKey{I.target_queue_priority, key, i});
  }
}

int Engine::Impl::position(std::uint32_t i) const {
  const InteractionRec& I = inter[i];
  if (I.state != InteractionState::kQueued) return 0;
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
  if (!ignore_hours && !Q.cfg.hours.is_open(at)) {
    overflow(i, q, "closed", at, hops);
    return;
  }
  I.queue_entered = at;
  I.overdue = false;
  ++Q.offered;
  if (Q.cfg.max_wait > Duration::zero())
    schedule(i, TimerKind::kMaxWait, at + Q.cfg.max_wait, Q.cfg.max_wait);
  else
    cancel_timer(i, TimerKind::kMaxWait);
  insert_waiting(i, at);
  emit(at, InteractionQueued{I.id, Q.cfg.id, I.channel, position(i)});
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
  emit(at, InteractionQueued{I.id, queues[I.queue].cfg.id, I.channel, position(i)});
  match_interaction(i, at);
}

void Engine::Impl::overflow(std::uint32_t i, std::uint32_t from, const char* why, TimePoint at, int hops) {
  InteractionRec& I = inter[i];
  cancel_timer(i, TimerKind::kRelax);
  cancel_timer(i, TimerKind::kMaxWait);
  const QueueRec& F = queues[from];
  std::uint32_t to = F.cfg.overflow_queue ? find_queue(*F.cfg.overflow_queue) : kNone;
  bool usable = to != kNone && queues[to].cfg.enabled && (queues[to].accepts & channel_bit(I.channel)) &&
                hops < static_cast<int>(queues.size());
  if (!usable) {
    end_interaction(i, std::string_view(why) == "closed" ? EndReason::kClosed : EndReason::kOverflowDropped, at);
    return;
  }
  I.target = kNone;
  emit(at, Overflowed{I.id, F.cfg.id, queues[to].cfg.id, why});
  enter_queue(i, to, at, hops + 1);
}

void Engine::Impl::end_interaction(std::uint32_t i, EndReason r, TimePoint at) {
  InteractionRec& I = inter[i];
  std::optional<AgentId> agent;
  Duration waited = at - I.enqueued;
  if (I.agent != kNone) {
    agent = agents[I.agent].cfg.id;
    waited = I.accepted_at - I.enqueued;
  }
  emit(at, InteractionEnded{I.id, queues[I.queue].cfg.id, r, agent, waited});
  free_interaction(i);
}

}  // namespace sb::routing
