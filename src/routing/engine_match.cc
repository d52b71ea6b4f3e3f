// Matching: agent pools, offers, agent state reporting and timers.
#include <algorithm>

#include "routing/engine_impl.h"
#include "routing/eta.h"
#include "routing/prefetch.h"
#include "routing/strategy.h"

namespace sb::routing {

void Engine::Impl::pool(std::uint32_t a, std::uint32_t mask) {
  AgentRec& A = agents[a];
  assert(!A.pooled);
  assert(mask != 0 && mask == takeable_mask(A));
  if (++A.pool_generation == 0) ++A.pool_generation;  // 0 means "not pooled" in live_gen
  A.pooled_idle = to_micros(A.idle_since);
  A.pooled_occupancy = occupancy_ppm(A);
  A.pooled = true;  // the entries pushed below are live, older ones of this agent stale
  live_gen[a] = A.pool_generation;
  live_mask[a] = mask;
  auto is_live = [this](const PoolKey& k) { return live(k); };
  for (const Membership& m : A.member) {
    if (!(mask & channel_bit(m.channel))) continue;
    Bucket& B = buckets[m.bucket];
    assert(B.alive && B.waiting.empty());
    PoolKey k = pool_key(B.strategy, A, a, m.score);
    k.generation = A.pool_generation;
    // Stale entries are cleaned here, off the decision path: the top, and
    // everything when stale entries outnumber live ones.
    B.pool.drop_stale_top(is_live);
    B.pool.push(k);
    B.pool.compact_if_grown(is_live);
    pool_hint[m.bucket] = B.pool.entries().data();
  }
}

void Engine::Impl::unpool(std::uint32_t a) {
  AgentRec& A = agents[a];
  if (!A.pooled) return;
  A.pooled = false;  // every entry of this agent is stale from now on: O(1)
  live_gen[a] = 0;
  live_mask[a] = 0;
}

void Engine::Impl::emit_state(std::uint32_t a, TimePoint at) {
  AgentRec& A = agents[a];
  AgentState s = derive_state(A);
  // state_reason is empty unless state is not-ready: an unchanged other state
  // needs no string comparison (the strings are on a cold line).
  if (s == A.state && s != AgentState::kNotReady) return;
  static const std::string kNoReason;
  const std::string& reason = s == AgentState::kNotReady ? A.not_ready_reason : kNoReason;  // derived_reason()
  if (s == A.state && reason == A.state_reason) return;
  emit_new<AgentStateChanged>(at, A.id, A.state, s, reason);
  A.state = s;
  if (A.has_state_reason || !reason.empty()) A.state_reason = reason;
  A.has_state_reason = !reason.empty();
  A.state_since = at;
}

void Engine::Impl::refresh_agent(std::uint32_t a, TimePoint at) {
  unpool(a);
  emit_state(a, at);
  if (std::uint32_t mask = takeable_mask(agents[a]); mask && !match_agent(a, mask, at)) pool(a, mask);
}

bool Engine::Impl::match_agent(std::uint32_t a, std::uint32_t mask, TimePoint at) {
  AgentRec& A = agents[a];
  assert(mask != 0 && mask == takeable_mask(A));
  const std::vector<ScanEntry>& scan = A.scan;  // 8-byte entries: few cache lines per group
  prefetch_lines(scan.data(), std::min<std::size_t>(scan.size(), 32) * sizeof(ScanEntry));
  bool found = false;
  int best_qp = 0;
  WaitKey best_key;
  std::uint32_t best = kNone;
  std::uint32_t best_bucket = kNone;
  // Entries are in queue-priority order (membership_order). The first head
  // found fixes the group; only the rest of that group can serve before it
  // (same queue priority, so the WaitKey decides), later groups cannot.
  const ScanEntry* it = scan.data();
  const ScanEntry* const end = it + scan.size();
  for (; it != end; ++it) {
    if (!(mask & channel_bit(it->channel))) continue;
    const Head& h = heads[it->bucket];
    if (!h.valid()) continue;
    assert(h.queue_priority == A.member[static_cast<std::size_t>(it - scan.data())].queue_priority);
    found = true;
    best_qp = h.queue_priority;
    best_key = h.key;
    best = h.interaction;
    best_bucket = it->bucket;
    break;
  }
  if (found) {
    for (++it; it != end && !it->group_start; ++it) {
      if (!(mask & channel_bit(it->channel))) continue;
      const Head& h = heads[it->bucket];
      if (!h.valid() || !(h.key < best_key)) continue;
      assert(h.queue_priority == best_qp);
      best_key = h.key;
      best = h.interaction;
      best_bucket = it->bucket;
    }
  }
  if (A.targeted_count != 0) {  // the set is on a cold line: read only when not empty
    for (const TargetKey& t : A.targeted) {
      if (!(mask & channel_bit(inter[t.interaction].channel))) continue;
      if (!found || serves_before(t.queue_priority, t.key, best_qp, best_key)) {
        found = true;
        best = t.interaction;
        best_bucket = kNone;
      }
      break;
    }
  }
  if (!found) return false;
  // remove_waiting and offer read the interaction's two hot lines and its bucket's first.
  prefetch_lines(&inter[best], 128);
  if (best_bucket != kNone) {
    prefetch_lines(&buckets[best_bucket], 64);
    prefetch_lines(next_hint[best_bucket], sizeof(WaitList::Entry));
  }
  one.assign(1, a);
  offer(best, one, at);
  return true;
}

void Engine::Impl::match_interaction(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  assert(I.state == InteractionState::kQueued);
  if (I.target != kNone) {
    if (takeable_mask(agents[I.target]) & channel_bit(I.channel)) {
      one.assign(1, I.target);
      offer(i, one, at);
    }
    return;
  }
  Bucket& B = buckets[I.bucket];
  // Stale entries reaching the top are dropped here (each at most once); an
  // empty pool after that has no live agent.
  B.pool.drop_stale_top([this](const PoolKey& k) { return live(k); });
  assert(I.listed || !B.pool.empty());  // an unlisted interaction met a free agent in insert_waiting
  if (B.pool.empty()) return;
  const std::uint32_t bit = channel_bit(B.channel);
  pick_agents(B.strategy, B.channel, B.pool, B.ring, queues[I.queue].rr_last,
              [this](const PoolKey& k) { return live(k); },
              [this, bit](std::uint32_t a) { return (live_mask[a] & bit) != 0; }, picks);
  assert(!picks.empty());
  offer(i, picks, at);
}

void Engine::Impl::offer(std::uint32_t i, const std::vector<std::uint32_t>& to, TimePoint at) {
  assert(!to.empty());
  remove_waiting(i);
  InteractionRec& I = inter[i];
  QueueRec& Q = queues[I.queue];
  I.state = InteractionState::kOffered;
  I.offered.assign(to.begin(), to.end());
  I.offer_expires = at + Q.offer_timeout;
  schedule(i, TimerKind::kOfferTimeout, I.offer_expires, Q.offer_timeout);
  Offered ev{I.id, Q.id, {}, I.offer_expires};
  ev.agents.reserve(to.size());
  for (std::uint32_t a : I.offered) {
    unpool(a);
    assert(agents[a].offer == kNone);
    assert(takeable_mask(agents[a]) & channel_bit(I.channel));
    agents[a].offer = i;
    ev.agents.push_back(agents[a].id);
  }
  Q.rr_last = ev.agents.front().value;
  emit(at, std::move(ev));
  for (std::uint32_t a : I.offered) emit_state(a, at);
}

void Engine::Impl::schedule(std::uint32_t i, TimerKind k, TimePoint at, Duration lane) {
  inter[i].tokens[static_cast<int>(k)] = timers.schedule(to_micros(at), k, i, lane.count());
}

void Engine::Impl::cancel_timer(std::uint32_t i, TimerKind k) { inter[i].tokens[static_cast<int>(k)] = 0; }

bool Engine::Impl::timer_live(const Timer& t) const {
  if (t.slot >= inter.size()) return false;
  const InteractionRec& I = inter[t.slot];
  return I.alive && I.tokens[static_cast<int>(t.kind)] == t.token;
}

void Engine::Impl::revoke_offers(std::uint32_t i, std::vector<std::uint32_t>& out, TimePoint at) {
  InteractionRec& I = inter[i];
  out = I.offered.to_vector();
  I.offered.clear();
  cancel_timer(i, TimerKind::kOfferTimeout);
  for (std::uint32_t a : out) {
    agents[a].offer = kNone;
    emit(at, OfferRevoked{I.id, agents[a].id});
  }
}

void Engine::Impl::detach(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  AgentRec& A = agents[I.agent];
  [[maybe_unused]] bool held = A.held.erase(i);
  assert(held);
  --A.load[I.channel];
  if (I.state == InteractionState::kWrapUp) --A.wrapups;
  cancel_timer(i, TimerKind::kWrapUp);
  A.idle_since = at;
}

void Engine::Impl::finish(std::uint32_t i, TimePoint at) {
  InteractionRec& I = inter[i];
  QueueRec& Q = queues[I.queue];
  Q.aht = next_average(Q.aht, at - I.accepted_at);
  detach(i, at);
  end_interaction(i, EndReason::kCompleted, at);
}

void Engine::Impl::on_timer(const Timer& t, TimePoint at) {
  const std::uint32_t i = t.slot;
  InteractionRec& I = inter[i];
  cancel_timer(i, t.kind);
  switch (t.kind) {
    case TimerKind::kOfferTimeout: {
      assert(I.state == InteractionState::kOffered);
      std::vector<std::uint32_t> missed = I.offered.to_vector();
      I.offered.clear();
      for (std::uint32_t a : missed) {
        AgentRec& A = agents[a];
        A.offer = kNone;
        A.not_ready = true;
        A.not_ready_reason = std::string(kReasonMissed);
        emit(at, OfferTimedOut{I.id, A.id});
      }
      for (std::uint32_t a : missed) refresh_agent(a, at);
      requeue(i, at);
      break;
    }
    case TimerKind::kRelax:
      if (I.state == InteractionState::kQueued && I.bucket != kNone) {
        remove_waiting(i);
        insert_waiting(i, at);
        match_interaction(i, at);
      }
      break;
    case TimerKind::kMaxWait:
      if (I.state == InteractionState::kQueued) {
        remove_waiting(i);
        overflow(i, I.queue, "max_wait", at, 0);
      } else if (I.state == InteractionState::kOffered) {
        I.overdue = true;
      }
      break;
    case TimerKind::kWrapUp: {
      assert(I.state == InteractionState::kWrapUp);
      std::uint32_t a = I.agent;
      finish(i, at);
      refresh_agent(a, at);
      break;
    }
  }
}

void Engine::advance(TimePoint now) {
  Impl& m = *impl_;
  TimePoint floor = m.clock;
  m.touch(now);
  const std::int64_t limit = to_micros(now);
  while (!m.timers.empty() && m.timers.top().at <= limit) {
    Timer t = m.timers.top();
    m.timers.pop();
    if (!m.timer_live(t)) continue;
    TimePoint at = std::max(from_micros(t.at), floor);
    floor = at;
    m.on_timer(t, at);
  }
}

std::optional<TimePoint> Engine::next_deadline() const {
  const Impl& m = *impl_;
  while (!m.timers.empty() && !m.timer_live(m.timers.top())) m.timers.pop();
  if (m.timers.empty()) return std::nullopt;
  return from_micros(m.timers.top().at);
}

}  // namespace sb::routing
