#include "routing/scenario_fixture.h"

#include <fmt/format.h>

namespace sb::routing::testing {

namespace {
std::string ids(const std::vector<AgentId>& v) {
  std::string s;
  for (AgentId a : v) s += (s.empty() ? "" : ",") + std::to_string(a.value);
  return s;
}
template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
}  // namespace

std::string describe(const Event& e) {
  return std::visit(
      Overloaded{
          [](const InteractionQueued& x) { return fmt::format("queued i{} q{} pos{}", x.interaction.value, x.queue.value, x.position); },
          [](const Offered& x) { return fmt::format("offered i{} to [{}]", x.interaction.value, ids(x.agents)); },
          [](const OfferRevoked& x) { return fmt::format("revoked i{} a{}", x.interaction.value, x.agent.value); },
          [](const OfferTimedOut& x) { return fmt::format("timed_out i{} a{}", x.interaction.value, x.agent.value); },
          [](const OfferRejected& x) { return fmt::format("rejected i{} a{}", x.interaction.value, x.agent.value); },
          [](const Accepted& x) { return fmt::format("accepted i{} a{}", x.interaction.value, x.agent.value); },
          [](const Overflowed& x) { return fmt::format("overflow i{} q{}->q{} {}", x.interaction.value, x.from.value, x.to.value, x.why); },
          [](const Transferred& x) { return fmt::format("transferred i{} to q{}", x.interaction.value, x.to_queue.value); },
          [](const ConvertedToCallback& x) { return fmt::format("callback i{}", x.interaction.value); },
          [](const InteractionEnded& x) { return fmt::format("ended i{} {}", x.interaction.value, to_string(x.reason)); },
          [](const ConversationEnded& x) { return fmt::format("conversation_ended i{}", x.interaction.value); },
          [](const AgentStateChanged& x) {
            return fmt::format("agent a{} {}->{} {}", x.agent.value, to_string(x.from), to_string(x.to), x.reason);
          },
      },
      e);
}

QueueConfig Scenario::queue_config(int id, std::vector<SkillRequirement> reqs) {
  QueueConfig q;
  q.id = Q(id);
  q.name = "q" + std::to_string(id);
  q.requirements = std::move(reqs);
  return q;
}

void Scenario::add_queue(const QueueConfig& q) {
  Status s = engine.upsert_queue(q, now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::queue(int id, std::map<int, int> requirements) {
  std::vector<SkillRequirement> reqs;
  for (auto [skill, level] : requirements) reqs.push_back({S(skill), level});
  add_queue(queue_config(id, std::move(reqs)));
}

void Scenario::agent(int id, std::map<int, int> skills, ChannelCounts capacity, int max_total) {
  AgentConfig a;
  a.id = A(id);
  a.name = "agent" + std::to_string(id);
  for (auto [skill, level] : skills) a.skills[S(skill)] = level;
  a.capacity = capacity;
  a.max_total = max_total;
  Status s = engine.upsert_agent(a, now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::login(int a) {
  Status s = engine.login(A(a), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::ready(int a) {
  if (state(a) == AgentState::kLoggedOut) login(a);
  Status s = engine.set_ready(A(a), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::not_ready(int a, std::string reason) {
  Status s = engine.set_not_ready(A(a), std::move(reason), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::call(int id, int queue, int priority, Channel channel) {
  InteractionSpec spec;
  spec.id = I(id);
  spec.queue = Q(queue);
  spec.priority = priority;
  spec.channel = channel;
  Status s = engine.arrive(spec, now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::accept(int i, int a) {
  Status s = engine.accept(I(i), A(a), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::reject(int i, int a) {
  Status s = engine.reject(I(i), A(a), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::hang_up(int i) {
  Status s = engine.end_conversation(I(i), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::complete(int i, int a) {
  Status s = engine.complete(I(i), A(a), now());
  ASSERT_TRUE(s.ok()) << s.error().message;
}

void Scenario::wait(Duration d) {
  clock.advance(d);
  engine.advance(now());
}

void Scenario::expect_offer(int i, int a) { expect_offer_to_all(i, {a}); }

void Scenario::expect_offer_to_all(int i, std::vector<int> agents) {
  const Offered* o = next_event<Offered>();
  ASSERT_NE(o, nullptr) << "expected an offer of i" << i << "\n" << log();
  std::vector<AgentId> want;
  for (int a : agents) want.push_back(A(a));
  EXPECT_EQ(o->interaction, I(i)) << log();
  EXPECT_EQ(ids(o->agents), ids(want)) << log();
}

void Scenario::expect_no_offer() {
  const Offered* o = next_event<Offered>();
  EXPECT_EQ(o, nullptr) << "unexpected offer of i" << o->interaction.value << "\n" << log();
}

void Scenario::expect_queued(int i, int queue, int position) {
  const InteractionQueued* q = next_event<InteractionQueued>();
  ASSERT_NE(q, nullptr) << log();
  EXPECT_EQ(q->interaction, I(i)) << log();
  EXPECT_EQ(q->queue, Q(queue)) << log();
  EXPECT_EQ(q->position, position) << log();
}

void Scenario::expect_ended(int i, EndReason reason) {
  const InteractionEnded* e = next_event<InteractionEnded>();
  ASSERT_NE(e, nullptr) << "expected i" << i << " to end\n" << log();
  EXPECT_EQ(e->interaction, I(i)) << log();
  EXPECT_EQ(e->reason, reason) << log();
}

void Scenario::expect_overflow(int i, int from, int to, std::string why) {
  const Overflowed* o = next_event<Overflowed>();
  ASSERT_NE(o, nullptr) << log();
  EXPECT_EQ(o->interaction, I(i));
  EXPECT_EQ(o->from, Q(from));
  EXPECT_EQ(o->to, Q(to));
  EXPECT_EQ(o->why, why);
}

void Scenario::expect_state_change(int a, AgentState to, std::string reason) {
  for (;;) {
    const AgentStateChanged* c = next_event<AgentStateChanged>();
    ASSERT_NE(c, nullptr) << "expected agent a" << a << " to become " << to_string(to) << "\n" << log();
    if (c->agent != A(a) || c->to != to) continue;
    EXPECT_EQ(c->reason, reason) << log();
    return;
  }
}

std::string Scenario::log() const {
  std::string s;
  for (std::size_t k = 0; k < sink.events.size(); ++k)
    s += fmt::format("{}{:3} {}\n", k == cursor ? ">" : " ", k, describe(sink.events[k].event));
  return s;
}

AgentState Scenario::state(int a) const {
  auto s = engine.agent(A(a));
  return s ? s->state : AgentState::kLoggedOut;
}

std::string Scenario::reason(int a) const {
  auto s = engine.agent(A(a));
  return s ? s->reason : "";
}

InteractionState Scenario::istate(int i) const {
  auto s = engine.interaction(I(i), now());
  return s ? s->state : InteractionState::kEnded;
}

int Scenario::position(int i) const {
  auto s = engine.interaction(I(i), now());
  return s ? s->position : 0;
}

}  // namespace sb::routing::testing
