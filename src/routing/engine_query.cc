// Read-only views: snapshots of agents, interactions and queues.
#include <algorithm>

#include "routing/engine_impl.h"

namespace sb::routing {

AgentSnapshot Engine::Impl::agent_snapshot(const AgentRec& A) const {
  const Impl& m = *this;
  AgentSnapshot s;
  s.id = A.id;
  s.name = A.cfg.name;
  s.state = A.state;
  s.reason = A.state_reason;
  s.state_since = A.state_since;
  s.load = A.load;
  for (std::uint32_t i : A.held) {
    const InteractionRec& I = m.inter[i];
    s.interactions.push_back(I.id);
    if (I.state == InteractionState::kWrapUp && (!s.wrapup_ends || I.wrapup_ends < *s.wrapup_ends))
      s.wrapup_ends = I.wrapup_ends;
  }
  if (A.offer != kNone) {
    s.offer = m.inter[A.offer].id;
    s.offer_expires = m.inter[A.offer].offer_expires;
  }
  return s;
}

InteractionSnapshot Engine::Impl::interaction_snapshot(std::uint32_t i, int position) const {
  const Impl& m = *this;
  const InteractionRec& I = m.inter[i];
  InteractionSnapshot s;
  s.id = I.id;
  s.channel = I.channel;
  s.queue = m.queues[I.queue].id;
  s.priority = I.priority;
  s.state = I.state;
  s.enqueued = I.enqueued;
  if (I.state == InteractionState::kOffered && !I.offered.empty()) s.agent = m.agents[I.offered.front()].id;
  if ((I.state == InteractionState::kConnected || I.state == InteractionState::kWrapUp) && I.agent != kNone)
    s.agent = m.agents[I.agent].id;
  s.position = position;
  s.estimated_wait = m.estimate(i);
  s.customer = I.customer;
  s.from = I.from;
  s.callback = I.callback;
  return s;
}

std::vector<std::uint32_t> Engine::Impl::waiting_slots(std::uint32_t q) const {
  const Impl& m = *this;
  const QueueRec& Q = m.queues[q];
  std::vector<std::pair<WaitKey, std::uint32_t>> all;
  auto add = [&](const WaitList::Entry& e) { all.emplace_back(e.key, e.slot); };
  Q.targeted.for_each(add);
  for (std::uint32_t b : Q.buckets)
    if (b != kNone) m.buckets[b].waiting.for_each(add);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::uint32_t> out;
  out.reserve(all.size());
  for (const auto& e : all) out.push_back(e.second);
  return out;
}

QueueSnapshot Engine::Impl::queue_snapshot(std::uint32_t q, TimePoint now) const {
  const Impl& m = *this;
  const QueueRec& Q = m.queues[q];
  QueueSnapshot s;
  s.id = Q.id;
  s.name = Q.cfg.name;
  s.waiting = static_cast<int>(Q.targeted.size());
  auto longest = [&](const WaitList::Entry& e) { s.longest_wait = std::max(s.longest_wait, now - m.inter[e.slot].enqueued); };
  Q.targeted.for_each(longest);
  std::vector<std::uint32_t> eligible;
  for (std::uint32_t b : Q.buckets) {
    if (b == kNone) continue;
    const Bucket& B = m.buckets[b];
    s.waiting += static_cast<int>(B.waiting.size());
    B.waiting.for_each(longest);
    eligible.insert(eligible.end(), B.eligible.begin(), B.eligible.end());
  }
  std::sort(eligible.begin(), eligible.end());
  eligible.erase(std::unique(eligible.begin(), eligible.end()), eligible.end());
  for (std::uint32_t a : eligible) {
    const AgentRec& A = m.agents[a];
    if (A.logged_in) ++s.agents_logged_in;
    if (A.state == AgentState::kReady) ++s.agents_ready;
  }
  s.offered = Q.offered;
  s.answered = Q.answered;
  s.answered_in_sl = Q.answered_in_sl;
  s.abandoned = Q.abandoned;
  s.avg_handle_time = Q.aht;
  return s;
}

std::optional<AgentSnapshot> Engine::agent(AgentId id) const {
  std::uint32_t a = impl_->find_agent(id);
  if (a == kNone) return std::nullopt;
  return impl_->agent_snapshot(impl_->agents[a]);
}

std::optional<InteractionSnapshot> Engine::interaction(InteractionId id, TimePoint now) const {
  std::uint32_t i = impl_->find_interaction(id);
  if (i == kNone) return std::nullopt;
  return impl_->interaction_snapshot(i, impl_->position(i));
}

std::optional<QueueSnapshot> Engine::queue(QueueId id, TimePoint now) const {
  std::uint32_t q = impl_->find_queue(id);
  if (q == kNone) return std::nullopt;
  return impl_->queue_snapshot(q, now);
}

std::vector<AgentSnapshot> Engine::agents() const {
  std::vector<AgentSnapshot> out;
  for (const AgentRec& A : impl_->agents) out.push_back(impl_->agent_snapshot(A));
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return out;
}

std::vector<QueueSnapshot> Engine::queues(TimePoint now) const {
  std::vector<QueueSnapshot> out;
  for (std::uint32_t q = 0; q < impl_->queues.size(); ++q) out.push_back(impl_->queue_snapshot(q, now));
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return out;
}

std::vector<InteractionSnapshot> Engine::waiting(QueueId id, TimePoint now) const {
  std::vector<InteractionSnapshot> out;
  std::uint32_t q = impl_->find_queue(id);
  if (q == kNone) return out;
  int position = 0;
  for (std::uint32_t i : impl_->waiting_slots(q)) out.push_back(impl_->interaction_snapshot(i, ++position));
  return out;
}

std::size_t Engine::interaction_count() const { return impl_->live_interactions; }

}  // namespace sb::routing
