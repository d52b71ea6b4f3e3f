// Interaction life cycle: arrive, offers answered, conversation, transfers, end.
#include <algorithm>

#include "routing/engine_impl.h"
#include "routing/prefetch.h"

namespace sb::routing {

namespace {
Error unknown_interaction(InteractionId i) { return Error::not_found("unknown interaction " + std::to_string(i.value)); }
Error unknown_agent(AgentId a) { return Error::not_found("unknown agent " + std::to_string(a.value)); }
Error unknown_queue(QueueId q) { return Error::not_found("unknown queue " + std::to_string(q.value)); }
Error already_exists(InteractionId i) {
  return Error{ErrorCode::kAlreadyExists, "interaction " + std::to_string(i.value) + " already exists", "id"};
}
// Whether queue Q takes a new interaction like `spec` (arrive and connect).
Status admits(const QueueRec& Q, const InteractionSpec& spec) {
  if (!Q.enabled) return Error::conflict("queue " + std::to_string(spec.queue.value) + " is disabled");
  if (!(Q.accepts & channel_bit(spec.channel)))
    return Error::invalid("channel", "queue " + std::to_string(spec.queue.value) + " does not accept " +
                                         std::string(to_string(spec.channel)));
  return {};
}
Error wrong_state(const InteractionRec& I, const char* what) {
  return Error::conflict("interaction " + std::to_string(I.id.value) + " is " + std::string(to_string(I.state)) +
                         ": cannot " + what);
}
}  // namespace

InteractionRec& Engine::Impl::new_record(const InteractionSpec& spec, std::uint32_t target, TimePoint now,
                                         std::uint32_t* slot) {
  Impl& m = *this;
  *slot = m.new_interaction_slot();
  InteractionRec& I = m.inter[*slot];
  I.alive = true;
  I.id = spec.id;
  I.channel = spec.channel;
  I.priority = spec.priority;
  I.enqueued = spec.enqueued.value_or(now);
  I.seq = ++m.next_seq;
  I.target = target;
  I.agent = kNone;
  I.overdue = false;
  I.customer = spec.customer;
  I.from = spec.from;
  I.callback_number.clear();
  I.callback = spec.channel == Channel::kCallback;
  return I;
}

Status Engine::arrive(const InteractionSpec& spec, TimePoint now) {
  Impl& m = *impl_;
  if (!spec.id) return Error::invalid("id", "interaction id must be non-zero");
  if (m.find_interaction(spec.id) != kNone) return already_exists(spec.id);
  std::uint32_t q = m.find_queue(spec.queue);
  if (q == kNone) return unknown_queue(spec.queue);
  prefetch_lines(&m.queues[q], 192);  // what enter_queue and insert_waiting read of it
  const QueueRec& Q = m.queues[q];
  if (Status ok = admits(Q, spec); !ok) return ok;
  std::uint32_t target = kNone;
  if (spec.preferred_agent) {
    target = m.find_agent(*spec.preferred_agent);
    if (target == kNone) return unknown_agent(*spec.preferred_agent);
    if (m.agents[target].capacity[spec.channel] <= 0)
      return Error::invalid("preferred_agent", "agent cannot take this channel");
  }
  m.touch(now);
  std::uint32_t i;
  m.new_record(spec, target, now, &i);
  m.inter_slot.insert(spec.id.value, i);
  m.enter_queue(i, q, now, 0);
  return {};
}

Status Engine::connect(const InteractionSpec& spec, AgentId agent, TimePoint now) {
  Impl& m = *impl_;
  if (!spec.id) return Error::invalid("id", "interaction id must be non-zero");
  if (m.find_interaction(spec.id) != kNone) return already_exists(spec.id);
  std::uint32_t q = m.find_queue(spec.queue);
  if (q == kNone) return unknown_queue(spec.queue);
  std::uint32_t a = m.find_agent(agent);
  if (a == kNone) return unknown_agent(agent);
  QueueRec& Q = m.queues[q];
  if (Status ok = admits(Q, spec); !ok) return ok;
  if (const char* why = cannot_start(m.agents[a], spec.channel))
    return Error::conflict("agent " + std::to_string(agent.value) + " " + why);
  m.touch(now);
  std::uint32_t i;
  InteractionRec& I = m.new_record(spec, kNone, now, &i);
  I.bucket = kNone;
  I.listed = false;
  I.queue = q;
  I.queue_entered = now;
  I.state = InteractionState::kConnected;
  I.agent = a;
  I.accepted_at = now;
  m.inter_slot.insert(spec.id.value, i);
  AgentRec& A = m.agents[a];
  A.held.push_back(i);
  ++A.load[I.channel];
  ++Q.offered;
  ++Q.answered;
  ++Q.answered_in_sl;
  m.emit(now, Accepted{I.id, A.id, Q.id, Duration::zero()});
  m.refresh_agent(a, now);
  return {};
}

Status Engine::accept(InteractionId id, AgentId agent, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  std::uint32_t a = m.find_agent(agent);
  if (a == kNone) return unknown_agent(agent);
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kOffered || !I.offered.contains(a))
    return Error::conflict("interaction " + std::to_string(id.value) + " is not offered to agent " +
                           std::to_string(agent.value));
  m.touch(now);
  std::vector<std::uint32_t> others;
  for (std::uint32_t o : I.offered)
    if (o != a) others.push_back(o);
  I.offered.clear();
  m.cancel_timer(i, TimerKind::kOfferTimeout);
  AgentRec& A = m.agents[a];
  A.offer = kNone;
  I.state = InteractionState::kConnected;
  I.agent = a;
  I.accepted_at = now;
  I.overdue = false;
  A.held.push_back(i);
  ++A.load[I.channel];
  QueueRec& Q = m.queues[I.queue];
  Duration waited = now - I.enqueued;
  ++Q.answered;
  if (waited <= Q.sl_threshold) ++Q.answered_in_sl;
  m.emit(now, Accepted{I.id, A.id, Q.id, waited});
  for (std::uint32_t o : others) {
    m.agents[o].offer = kNone;
    m.emit(now, OfferRevoked{id, m.agents[o].id});
  }
  m.refresh_agent(a, now);
  for (std::uint32_t o : others) m.refresh_agent(o, now);
  return {};
}

Status Engine::reject(InteractionId id, AgentId agent, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  std::uint32_t a = m.find_agent(agent);
  if (a == kNone) return unknown_agent(agent);
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kOffered || !I.offered.contains(a))
    return Error::conflict("interaction " + std::to_string(id.value) + " is not offered to agent " +
                           std::to_string(agent.value));
  m.touch(now);
  I.offered.erase(a);
  AgentRec& A = m.agents[a];
  A.offer = kNone;
  A.not_ready = true;
  A.not_ready_reason = "rejected";
  m.emit(now, OfferRejected{id, agent});
  m.refresh_agent(a, now);
  if (m.inter[i].offered.empty()) m.requeue(i, now);
  return {};
}

Status Engine::abandon(InteractionId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kQueued && I.state != InteractionState::kOffered)
    return wrong_state(I, "abandon (already connected)");
  m.touch(now);
  std::vector<std::uint32_t> revoked;
  if (I.state == InteractionState::kQueued)
    m.remove_waiting(i);
  else
    m.revoke_offers(i, revoked, now);
  ++m.queues[I.queue].abandoned;
  m.end_interaction(i, EndReason::kAbandoned, now);
  for (std::uint32_t a : revoked) m.refresh_agent(a, now);
  return {};
}

Status Engine::end_conversation(InteractionId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kConnected) return wrong_state(I, "end the conversation");
  m.touch(now);
  const std::uint32_t a = I.agent;
  m.emit(now, ConversationEnded{id, m.agents[a].id});
  Duration wrapup = m.queues[I.queue].wrapup;
  if (wrapup == Duration::zero()) {
    m.finish(i, now);
  } else {
    I.state = InteractionState::kWrapUp;
    ++m.agents[a].wrapups;
    I.wrapup_ends = now + wrapup;
    m.schedule(i, TimerKind::kWrapUp, I.wrapup_ends, wrapup);
  }
  m.refresh_agent(a, now);
  return {};
}

Status Engine::complete(InteractionId id, AgentId agent, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  std::uint32_t a = m.find_agent(agent);
  if (a == kNone) return unknown_agent(agent);
  // Read below, in finish and in the next decision for the agent (match_agent).
  prefetch_lines(&m.inter[i], 128);
  prefetch_lines(&m.agents[a], 192);
  prefetch_lines(m.scan_hint[a], 128);
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kConnected && I.state != InteractionState::kWrapUp) return wrong_state(I, "complete");
  if (I.agent != a)
    return Error::conflict("interaction " + std::to_string(id.value) + " is not held by agent " +
                           std::to_string(agent.value));
  m.touch(now);
  if (I.state == InteractionState::kConnected) m.emit(now, ConversationEnded{id, agent});
  m.finish(i, now);
  m.refresh_agent(a, now);
  return {};
}

std::vector<std::uint32_t> Engine::Impl::lift(std::uint32_t i, TimePoint now) {
  std::vector<std::uint32_t> out;
  InteractionRec& I = inter[i];
  switch (I.state) {
    case InteractionState::kQueued: remove_waiting(i); break;
    case InteractionState::kOffered: revoke_offers(i, out, now); break;
    case InteractionState::kConnected:
      out.push_back(I.agent);
      detach(i, now);
      break;
    default: assert(false);
  }
  cancel_timer(i, TimerKind::kRelax);
  cancel_timer(i, TimerKind::kMaxWait);
  I.agent = kNone;
  I.target = kNone;
  I.overdue = false;
  I.enqueued = now;
  I.seq = ++next_seq;
  return out;
}

namespace {

bool transferable(const InteractionRec& I) {
  return I.state == InteractionState::kQueued || I.state == InteractionState::kOffered ||
         I.state == InteractionState::kConnected;
}

}  // namespace

Status Engine::transfer_to_queue(InteractionId id, QueueId queue, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  std::uint32_t q = m.find_queue(queue);
  if (q == kNone) return unknown_queue(queue);
  InteractionRec& I = m.inter[i];
  if (!transferable(I)) return wrong_state(I, "transfer");
  const QueueRec& Q = m.queues[q];
  if (!Q.enabled) return Error::conflict("queue " + std::to_string(queue.value) + " is disabled");
  if (!(Q.accepts & channel_bit(I.channel))) return Error::invalid("queue", "queue does not accept this channel");
  if (I.state == InteractionState::kQueued && I.queue == q && I.target == kNone)
    return Error::conflict("interaction " + std::to_string(id.value) + " already waits in this queue");
  m.touch(now);
  std::optional<AgentId> from;
  if (I.state == InteractionState::kConnected) from = m.agents[I.agent].id;
  std::vector<std::uint32_t> refresh = m.lift(i, now);
  m.emit(now, Transferred{id, from, queue, std::nullopt});
  m.enter_queue(i, q, now, 0);
  for (std::uint32_t a : refresh) m.refresh_agent(a, now);
  return {};
}

Status Engine::transfer_to_agent(InteractionId id, AgentId agent, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  std::uint32_t a = m.find_agent(agent);
  if (a == kNone) return unknown_agent(agent);
  InteractionRec& I = m.inter[i];
  if (!transferable(I)) return wrong_state(I, "transfer");
  const AgentRec& A = m.agents[a];
  if (!A.logged_in) return Error::conflict("agent " + std::to_string(agent.value) + " is logged out");
  if (A.capacity[I.channel] <= 0) return Error::conflict("agent cannot take this channel");
  if (I.state == InteractionState::kConnected && I.agent == a)
    return Error::conflict("interaction is already connected to this agent");
  m.touch(now);
  std::optional<AgentId> from;
  if (I.state == InteractionState::kConnected) from = m.agents[I.agent].id;
  std::vector<std::uint32_t> refresh = m.lift(i, now);
  m.inter[i].target = a;
  m.emit(now, Transferred{id, from, m.queues[m.inter[i].queue].cfg.id, agent});
  m.enter_queue(i, m.inter[i].queue, now, 0, /*ignore_hours=*/true);
  for (std::uint32_t r : refresh) m.refresh_agent(r, now);
  return {};
}

Status Engine::convert_to_callback(InteractionId id, std::string number, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  if (number.empty()) return Error::invalid("number", "callback number must not be empty");
  InteractionRec& I = m.inter[i];
  if (I.state != InteractionState::kQueued) return wrong_state(I, "convert to callback (not waiting)");
  if (I.channel != Channel::kVoice) return Error::conflict("only waiting voice calls can become callbacks");
  m.touch(now);
  m.remove_waiting(i);
  I.channel = Channel::kCallback;
  I.callback = true;
  I.callback_number = number;
  m.emit(now, ConvertedToCallback{id, m.queues[I.queue].id, std::move(number)});
  m.insert_waiting(i, now);
  m.match_interaction(i, now);
  return {};
}

Status Engine::cancel(InteractionId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t i = m.find_interaction(id);
  if (i == kNone) return unknown_interaction(id);
  m.touch(now);
  InteractionRec& I = m.inter[i];
  std::vector<std::uint32_t> refresh;
  switch (I.state) {
    case InteractionState::kQueued: m.remove_waiting(i); break;
    case InteractionState::kOffered: m.revoke_offers(i, refresh, now); break;
    case InteractionState::kConnected:
    case InteractionState::kWrapUp:
      refresh.push_back(I.agent);
      m.detach(i, now);
      break;
    case InteractionState::kEnded: assert(false); break;
  }
  m.end_interaction(i, EndReason::kCancelled, now);
  for (std::uint32_t a : refresh) m.refresh_agent(a, now);
  return {};
}

}  // namespace sb::routing
