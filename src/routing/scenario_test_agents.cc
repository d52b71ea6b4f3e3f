// Agent states, capacity and presence.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kBilling = 1;
constexpr int kBillingQ = 10;
constexpr int kChatQ = 20;

ChannelCounts voice_and_chats(int voice, int chats) {
  ChannelCounts c;
  c[Channel::kVoice] = voice;
  c[Channel::kChat] = chats;
  return c;
}

class Agents : public Scenario {
 protected:
  void SetUp() override {
    queue(kBillingQ, {{kBilling, 5}});
    QueueConfig chats = queue_config(kChatQ);
    chats.channels = {Channel::kChat};
    add_queue(chats);
  }
};

TEST_F(Agents, LoginPutsAgentNotReadyWithReasonLogin) {
  agent(1);
  login(1);
  expect_state_change(1, AgentState::kNotReady, "login");
  EXPECT_EQ(reason(1), "login");
}

TEST_F(Agents, ReadyAgentWithSkillGetsTheCall) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  expect_offer(100, 1);
  EXPECT_EQ(state(1), AgentState::kReserved);
}

TEST_F(Agents, AgentBelowMinimumProficiencyIsNotOffered) {
  agent(1, {{kBilling, 4}});
  ready(1);
  call(100, kBillingQ);
  expect_no_offer();
  EXPECT_EQ(istate(100), InteractionState::kQueued);
}

TEST_F(Agents, NotReadyAgentKeepsWorkingButGetsNoNewOffer) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  not_ready(1, "lunch");
  EXPECT_EQ(state(1), AgentState::kNotReady);
  EXPECT_EQ(istate(100), InteractionState::kConnected);
  complete(100, 1);
  call(101, kBillingQ);
  expect_no_offer();
  EXPECT_EQ(reason(1), "lunch");
}

TEST_F(Agents, LogoutIsRefusedWhileHoldingAnInteractionOrAnOffer) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  Status reserved = engine.logout(A(1), now());
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().code, ErrorCode::kConflict);
  accept(100, 1);
  Status busy = engine.logout(A(1), now());
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kConflict);
  complete(100, 1);
  EXPECT_TRUE(engine.logout(A(1), now()).ok());
  EXPECT_EQ(state(1), AgentState::kLoggedOut);
}

TEST_F(Agents, WrapUpTimesOutBackToReadyAndCompletesTheInteraction) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  hang_up(100);
  EXPECT_EQ(state(1), AgentState::kWrapUp);
  EXPECT_EQ(istate(100), InteractionState::kWrapUp);
  EXPECT_EQ(engine.next_deadline(), now() + 30s);
  wait(29s);
  EXPECT_EQ(state(1), AgentState::kWrapUp);
  wait(1s);
  expect_ended(100, EndReason::kCompleted);
  EXPECT_EQ(state(1), AgentState::kReady);
}

TEST_F(Agents, AgentWhoWentNotReadyDuringWrapUpStaysNotReady) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  hang_up(100);
  not_ready(1, "coaching");
  wait(30s);
  EXPECT_EQ(state(1), AgentState::kNotReady);
  EXPECT_EQ(reason(1), "coaching");
}

TEST_F(Agents, ZeroWrapUpGoesStraightBackToReady) {
  QueueConfig q = queue_config(kBillingQ, {{S(kBilling), 5}});
  q.wrapup = Duration::zero();
  add_queue(q);
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  hang_up(100);
  expect_ended(100, EndReason::kCompleted);
  EXPECT_EQ(state(1), AgentState::kReady);
}

TEST_F(Agents, SetReadyEndsWrapUpEarlyAndTakesTheNextCall) {
  agent(1, {{kBilling, 7}});
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  call(101, kBillingQ);
  hang_up(100);
  expect_no_offer();
  ready(1);
  expect_ended(100, EndReason::kCompleted);
  expect_offer(101, 1);
}

TEST_F(Agents, VoiceIsExclusive) {
  agent(1, {{kBilling, 7}}, voice_and_chats(1, 3));
  ready(1);
  call(100, kBillingQ);
  answer(100, 1);
  chat(200, kChatQ);
  expect_no_offer();  // on a call: no chat
  complete(100, 1);
  expect_offer(200, 1);
  accept(200, 1);
  call(101, kBillingQ);
  expect_no_offer();  // holding a chat: no call
  EXPECT_EQ(state(1), AgentState::kReady);  // still has chat capacity
}

TEST_F(Agents, ChatAgentTakesUpToCapacityThenIsBusy) {
  agent(1, {}, voice_and_chats(0, 2));
  ready(1);
  for (int i = 200; i < 203; ++i) chat(i, kChatQ);
  answer(200, 1);  // spare chat capacity: the next chat is offered at once
  answer(201, 1);
  EXPECT_EQ(state(1), AgentState::kBusy);
  expect_no_offer();
  EXPECT_EQ(engine.agent(A(1))->load[Channel::kChat], 2);
  complete(200, 1);
  expect_offer(202, 1);
}

TEST_F(Agents, MaxTotalCapsWorkAcrossChannels) {
  QueueConfig email = queue_config(30);
  email.channels = {Channel::kEmail};
  add_queue(email);
  ChannelCounts cap = voice_and_chats(0, 3);
  cap[Channel::kEmail] = 2;
  agent(1, {}, cap, /*max_total=*/2);
  ready(1);
  chat(200, kChatQ);
  answer(200, 1);
  call(300, 30, 0, Channel::kEmail);
  answer(300, 1);
  chat(201, kChatQ);
  expect_no_offer();
  EXPECT_EQ(state(1), AgentState::kBusy);
}

TEST_F(Agents, UnknownAgentAndWrongStateAreErrorsNotCrashes) {
  EXPECT_EQ(engine.login(A(99), now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(engine.set_ready(A(99), now()).error().code, ErrorCode::kNotFound);
  agent(1);
  EXPECT_EQ(engine.set_ready(A(1), now()).error().code, ErrorCode::kConflict);  // logged out
  EXPECT_EQ(engine.logout(A(1), now()).error().code, ErrorCode::kConflict);
  login(1);
  EXPECT_EQ(engine.login(A(1), now()).error().code, ErrorCode::kConflict);
  AgentConfig bad;
  bad.id = A(2);
  bad.skills[S(1)] = 11;
  EXPECT_EQ(engine.upsert_agent(bad, now()).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(Agents, UpsertAgentKeepsStateAndLoadAndAppliesNewSkills) {
  agent(1, {{kBilling, 3}});
  ready(1);
  call(100, kBillingQ);
  expect_no_offer();
  agent(1, {{kBilling, 8}});  // trained
  expect_offer(100, 1);
  accept(100, 1);
  agent(1, {{kBilling, 9}});
  EXPECT_EQ(state(1), AgentState::kBusy);
  EXPECT_EQ(engine.agent(A(1))->load[Channel::kVoice], 1);
}

}  // namespace
}  // namespace sb::routing::testing
