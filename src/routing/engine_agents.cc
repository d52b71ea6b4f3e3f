// Agent presence: login, ready, not-ready, logout.
#include <algorithm>

#include "routing/engine_impl.h"

namespace sb::routing {

namespace {
Error unknown_agent(AgentId a) { return Error::not_found("unknown agent " + std::to_string(a.value)); }
Error logged_out(AgentId a) { return Error::conflict("agent " + std::to_string(a.value) + " is logged out"); }
}  // namespace

void Engine::Impl::add_logged_in_capacity(std::uint32_t a, int sign) {
  const AgentRec& A = agents[a];
  for (const Membership& mem : A.member) buckets[mem.bucket].logged_in_capacity += sign * A.capacity[mem.channel];
}

Status Engine::login(AgentId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t a = m.find_agent(id);
  if (a == kNone) return unknown_agent(id);
  AgentRec& A = m.agents[a];
  if (A.logged_in) return Error::conflict("agent " + std::to_string(id.value) + " is already logged in");
  m.touch(now);
  A.logged_in = true;
  A.not_ready = true;
  A.not_ready_reason = "login";
  A.idle_since = now;
  m.add_logged_in_capacity(a, +1);
  m.emit_state(a, now);
  return {};
}

Status Engine::set_ready(AgentId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t a = m.find_agent(id);
  if (a == kNone) return unknown_agent(id);
  if (!m.agents[a].logged_in) return logged_out(id);
  m.touch(now);
  // Ending wrap-up early completes every interaction the agent has in wrap-up.
  std::vector<std::uint32_t> wrapping;
  for (std::uint32_t i : m.agents[a].held)
    if (m.inter[i].state == InteractionState::kWrapUp) wrapping.push_back(i);
  m.unpool(a);
  for (std::uint32_t i : wrapping) m.finish(i, now);
  AgentRec& A = m.agents[a];
  if (A.not_ready) {
    A.not_ready = false;
    A.not_ready_reason.clear();
    A.idle_since = now;
  }
  m.refresh_agent(a, now);
  return {};
}

Status Engine::set_not_ready(AgentId id, std::string reason, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t a = m.find_agent(id);
  if (a == kNone) return unknown_agent(id);
  if (!m.agents[a].logged_in) return logged_out(id);
  m.touch(now);
  if (reason.empty()) reason = "not_ready";
  m.unpool(a);
  AgentRec& A = m.agents[a];
  A.not_ready = true;
  A.not_ready_reason = std::move(reason);
  // A pending offer is withdrawn without penalty; the interaction goes back to its place.
  std::uint32_t returned = kNone;
  if (A.offer != kNone) {
    std::uint32_t i = A.offer;
    InteractionRec& I = m.inter[i];
    I.offered.erase(a);
    A.offer = kNone;
    m.emit(now, OfferRevoked{I.id, A.id});
    if (I.offered.empty()) returned = i;
  }
  m.emit_state(a, now);
  if (returned != kNone) m.requeue(returned, now);
  return {};
}

Status Engine::logout(AgentId id, TimePoint now) {
  Impl& m = *impl_;
  std::uint32_t a = m.find_agent(id);
  if (a == kNone) return unknown_agent(id);
  AgentRec& A = m.agents[a];
  if (!A.logged_in) return logged_out(id);
  if (!A.held.empty() || A.offer != kNone)
    return Error::conflict("agent " + std::to_string(id.value) + " still holds interactions or an offer");
  m.touch(now);
  m.unpool(a);
  m.add_logged_in_capacity(a, -1);
  A.logged_in = false;
  A.not_ready = false;
  A.not_ready_reason.clear();
  m.emit_state(a, now);
  return {};
}

}  // namespace sb::routing
