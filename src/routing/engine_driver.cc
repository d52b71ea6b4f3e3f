#include "routing/engine_driver.h"

#include <fmt/format.h>

#include <variant>

namespace sb::routing::testing {

namespace {
constexpr int kQueues = 5;
constexpr int kAgents = 8;
constexpr int kSkills = 3;
constexpr Strategy kStrategies[] = {Strategy::kLongestIdle, Strategy::kMostSkilled, Strategy::kLeastOccupied,
                                    Strategy::kRoundRobin, Strategy::kRingAll};
template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
}  // namespace

Driver::Driver(std::function<std::uint32_t(std::uint32_t)> choose) : choose_(std::move(choose)) {}

void Driver::fail(const std::string& why) {
  if (failure_.empty()) failure_ = why;
}

void Driver::setup() {
  for (int q = 1; q <= kQueues; ++q) {
    QueueConfig c;
    c.id = QueueId(q);
    c.strategy = kStrategies[pick(5)];
    if (c.strategy == Strategy::kRingAll) ring_all_queues_.insert(q);
    c.priority = static_cast<int>(pick(3));
    if (pick(2)) c.requirements.push_back({SkillId(1 + pick(kSkills)), 1 + static_cast<int>(pick(8))});
    if (pick(2)) c.relaxations.push_back({std::chrono::seconds(1 + pick(60)), {}});
    if (pick(2)) c.max_wait = std::chrono::seconds(30 + pick(200));
    if (pick(2)) c.overflow_queue = QueueId(1 + (q % kQueues));
    if (pick(4) == 0) c.hours.open.push_back({static_cast<int>(pick(7)), 0, 720});
    c.offer_timeout = std::chrono::seconds(5 + pick(20));
    c.wrapup = std::chrono::seconds(pick(3) * 10);
    if (pick(3) == 0) c.channels = {Channel::kChat, Channel::kEmail};
    if (!engine_.upsert_queue(c, now_).ok()) fail("upsert_queue failed");
  }
  for (int a = 1; a <= kAgents; ++a) {
    AgentConfig c;
    c.id = AgentId(a);
    for (int s = 1; s <= kSkills; ++s)
      if (pick(2)) c.skills[SkillId(s)] = 1 + static_cast<int>(pick(10));
    c.capacity = AgentConfig::default_capacity();
    if (pick(3) == 0) c.capacity[Channel::kVoice] = 0;
    if (pick(4) == 0) c.max_total = 1 + static_cast<int>(pick(3));
    agent_cfg_[a] = c;
    agent_state_[a] = AgentState::kLoggedOut;
    if (!engine_.upsert_agent(c, now_).ok()) fail("upsert_agent failed");
  }
  check();
}

std::int64_t Driver::some_interaction() {
  if (live_.empty() || pick(10) == 0) return static_cast<std::int64_t>(pick(static_cast<std::uint32_t>(next_id_ + 1)));
  auto it = live_.begin();
  std::advance(it, pick(static_cast<std::uint32_t>(live_.size())));
  return it->first;
}

void Driver::step() {
  events_at_call_ = events_;
  AgentId agent(1 + pick(kAgents + 1));  // kAgents + 1 is unknown
  QueueId queue(1 + pick(kQueues + 1));
  InteractionId i(some_interaction());
  // Offered interactions are answered more often than chance would.
  if (pick(3) == 0) {
    for (auto& [id, m] : live_)
      if (!m.offered.empty()) {
        i = InteractionId(id);
        agent = AgentId(*m.offered.begin());
        break;
      }
  }
  Status s;
  bool mutating = true;
  switch (pick(19)) {
    case 0:
    case 1:
    case 2: {
      InteractionSpec spec;
      // Now and then a live id again, which must be refused.
      bool duplicate = !live_.empty() && pick(20) == 0;
      spec.id = InteractionId(duplicate ? live_.begin()->first : next_id_);
      if (!duplicate) live_[next_id_];  // its events arrive before arrive() returns
      spec.queue = queue;
      spec.channel = kAllChannels[pick(3)];
      spec.priority = static_cast<int>(pick(3));
      if (pick(10) == 0) spec.preferred_agent = agent;
      s = engine_.arrive(spec, now_);
      if (s.ok()) {
        arrived_.insert(spec.id.value);
        ++next_id_;
      } else if (!duplicate) {
        live_.erase(spec.id.value);
      }
      break;
    }
    case 3: s = engine_.login(agent, now_); break;
    case 4:
    case 5: s = engine_.set_ready(agent, now_); break;
    case 6: s = engine_.set_not_ready(agent, pick(2) ? "break" : "lunch", now_); break;
    case 7: s = engine_.logout(agent, now_); break;
    case 8:
    case 9: s = engine_.accept(i, agent, now_); break;
    case 10: s = engine_.reject(i, agent, now_); break;
    case 11: s = engine_.abandon(i, now_); break;
    case 12: s = engine_.end_conversation(i, now_); break;
    case 13: {
      auto it = live_.find(i.value);
      s = engine_.complete(i, it != live_.end() && it->second.agent ? AgentId(it->second.agent) : agent, now_);
      break;
    }
    case 14: s = engine_.transfer_to_queue(i, queue, now_); break;
    case 15: s = engine_.transfer_to_agent(i, agent, now_); break;
    case 16: s = engine_.convert_to_callback(i, pick(5) ? "+15550100" : "", now_); break;
    case 17: s = pick(4) == 0 ? engine_.cancel(i, now_) : Status{}; break;
    case 18: {
      mutating = false;
      now_ += std::chrono::milliseconds(pick(20'000));
      engine_.advance(now_);
      break;
    }
  }
  if (mutating && !s.ok() && events_ != events_at_call_)
    fail(fmt::format("a failed call reported events: {}", s.error().message));
  if (auto d = engine_.next_deadline(); d && *d <= now_) engine_.advance(now_);
  check();
}

void Driver::on_event(TimePoint at, const Event& e) {
  ++events_;
  if (at < last_event_) fail("event time went backwards");
  last_event_ = at;
  auto model = [&](InteractionId id) -> Model* {
    auto it = live_.find(id.value);
    if (it == live_.end()) {
      fail(fmt::format("event for unknown interaction {}", id.value));
      return nullptr;
    }
    return &it->second;
  };
  std::visit(
      Overloaded{
          [&](const InteractionQueued& x) {
            if (ended_.count(x.interaction.value)) fail("queued after it ended");
            Model* mp = model(x.interaction);
            if (!mp) return;
            Model& m = *mp;
            if (!m.offered.empty()) fail("queued while offered");
            m = Model{};
            if (x.position < 1) fail("position must be 1-based");
          },
          [&](const Offered& x) {
            Model* m = model(x.interaction);
            if (!m) return;
            if (m->state != InteractionState::kQueued) fail("offered while not queued");
            if (x.agents.empty()) fail("offer to nobody");
            if (x.agents.size() > 1 && !ring_all_queues_.count(x.queue.value))
              fail("offer to several agents outside ring-all");
            for (const auto& [id, other] : live_)
              for (AgentId a : x.agents)
                if (other.offered.count(a.value)) fail(fmt::format("agent {} has two offers", a.value));
            m->state = InteractionState::kOffered;
            for (AgentId a : x.agents) m->offered.insert(a.value);
          },
          [&](const OfferRevoked& x) { if (Model* m = model(x.interaction); m && !m->offered.erase(x.agent.value)) fail("revoked offer that was not pending"); },
          [&](const OfferTimedOut& x) { if (Model* m = model(x.interaction); m && !m->offered.erase(x.agent.value)) fail("timed out offer that was not pending"); },
          [&](const OfferRejected& x) { if (Model* m = model(x.interaction); m && !m->offered.erase(x.agent.value)) fail("rejected offer that was not pending"); },
          [&](const Accepted& x) {
            Model* m = model(x.interaction);
            if (!m) return;
            if (!m->offered.erase(x.agent.value)) fail("accepted without an offer");
            m->state = InteractionState::kConnected;
            m->agent = x.agent.value;
          },
          [&](const Overflowed& x) { model(x.interaction); },
          [&](const Transferred& x) {
            if (Model* m = model(x.interaction)) {
              m->agent = 0;
              m->state = InteractionState::kQueued;
            }
          },
          [&](const ConvertedToCallback& x) { model(x.interaction); },
          [&](const InteractionEnded& x) {
            if (!ended_.insert(x.interaction.value).second) fail("ended twice");
            if (Model* m = model(x.interaction); m && !m->offered.empty()) fail("ended with pending offers");
            live_.erase(x.interaction.value);
          },
          [&](const ConversationEnded& x) {
            if (Model* m = model(x.interaction)) {
              if (m->state != InteractionState::kConnected) fail("conversation ended while not connected");
              m->state = InteractionState::kWrapUp;
            }
          },
          [&](const AgentStateChanged& x) {
            if (agent_state_[x.agent.value] != x.from) fail("agent state change from the wrong state");
            if (x.from == x.to && x.to != AgentState::kNotReady) fail("agent state change to the same state");
            agent_state_[x.agent.value] = x.to;
          },
      },
      e);
}

void Driver::check() {
  if (engine_.interaction_count() != live_.size())
    fail(fmt::format("engine holds {} interactions, events say {}", engine_.interaction_count(), live_.size()));
  for (std::int64_t id : arrived_)
    if (!live_.count(id) && !ended_.count(id)) fail(fmt::format("interaction {} was lost", id));
  std::map<std::int64_t, int> offers_per_agent;
  for (const auto& [id, m] : live_) {
    auto s = engine_.interaction(InteractionId(id), now_);
    if (!s) {
      fail(fmt::format("interaction {} missing from the engine", id));
      continue;
    }
    InteractionState want = m.state;
    if (want == InteractionState::kWrapUp && s->state == InteractionState::kWrapUp) {
    } else if (s->state != want) {
      fail(fmt::format("interaction {} is {} but events say {}", id, to_string(s->state), to_string(want)));
    }
    if (s->state == InteractionState::kQueued && s->position < 1) fail("queued without a position");
    if (s->state == InteractionState::kOffered && m.offered.empty()) fail("offered to nobody");
    for (std::int64_t a : m.offered) ++offers_per_agent[a];
  }
  for (const AgentSnapshot& a : engine_.agents()) {
    const AgentConfig& cfg = agent_cfg_[a.id.value];
    if (agent_state_[a.id.value] != a.state) fail(fmt::format("agent {} state differs from its events", a.id.value));
    for (Channel c : kAllChannels)
      if (a.load[c] > cfg.capacity[c]) fail(fmt::format("agent {} over capacity on {}", a.id.value, to_string(c)));
    if (cfg.max_total && a.load.total() > cfg.max_total) fail(fmt::format("agent {} over max_total", a.id.value));
    int phone = a.load[Channel::kVoice] + a.load[Channel::kCallback];
    if (phone > 0 && a.load.total() > phone) fail(fmt::format("agent {} mixes a call with other work", a.id.value));
    if (phone > 1) fail(fmt::format("agent {} on two calls", a.id.value));
    if (offers_per_agent[a.id.value] > 1) fail(fmt::format("agent {} has several offers", a.id.value));
    if ((a.offer.has_value()) != (offers_per_agent[a.id.value] == 1))
      fail(fmt::format("agent {} offer differs from events", a.id.value));
    if (a.offer && a.state != AgentState::kReserved) fail("agent with an offer is not reserved");
    if (static_cast<int>(a.interactions.size()) != a.load.total()) fail("agent load differs from its interactions");
  }
  for (int q = 1; q <= kQueues; ++q) {
    auto w = engine_.waiting(QueueId(q), now_);
    for (std::size_t k = 0; k < w.size(); ++k)
      if (w[k].position != static_cast<int>(k) + 1) fail("positions are not 1..n");
  }
}

}  // namespace sb::routing::testing
