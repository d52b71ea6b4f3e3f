// Work an agent starts themself (Engine::connect: outbound calls), ready or
// not-ready: connected at once, no offer meanwhile, and the state afterwards.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kSales = 10;
constexpr int kChats = 20;

class Outbound : public Scenario {
 protected:
  void SetUp() override {
    queue(kSales);
    QueueConfig chats = queue_config(kChats);
    chats.channels = {Channel::kChat};
    add_queue(chats);
    agent(1);
    agent(2);
  }
  Status dial(int i, int a, int q = kSales) {
    InteractionSpec spec;
    spec.id = I(i);
    spec.queue = Q(q);
    spec.from = "+48600100200";
    return engine.connect(spec, A(a), now());
  }
};

TEST_F(Outbound, NotReadyAgentIsConnectedAndGetsNoOfferDuringTheCall) {
  login(1);  // not-ready "login"
  ASSERT_TRUE(dial(900, 1).ok());
  const Accepted* acc = next_event<Accepted>();
  ASSERT_NE(acc, nullptr) << log();
  EXPECT_EQ(acc->interaction, I(900));
  EXPECT_EQ(acc->agent, A(1));
  EXPECT_EQ(acc->waited, Duration::zero());
  EXPECT_EQ(count_events<Offered>(), 0) << "connected without an offer";
  EXPECT_EQ(count_events<InteractionQueued>(), 0) << "never waiting";
  EXPECT_EQ(istate(900), InteractionState::kConnected);
  EXPECT_EQ(state(1), AgentState::kNotReady) << "not-ready shows while on the call";
  EXPECT_EQ(reason(1), "login");

  call(100, kSales);  // an inbound call meanwhile: not for agent 1
  expect_queued(100, kSales, 1);
  expect_no_offer();
  ready(2);
  expect_offer(100, 2);
}

TEST_F(Outbound, NotReadyAgentIsNotReadyAgainAfterWrapUp) {
  login(1);
  not_ready(1, "lunch");
  ASSERT_TRUE(dial(900, 1).ok());
  hang_up(900);
  ASSERT_NE(next_event<ConversationEnded>(), nullptr);
  EXPECT_EQ(istate(900), InteractionState::kWrapUp);
  call(100, kSales);
  wait(31s);  // the queue's 30 s wrap-up runs out
  expect_ended(900, EndReason::kCompleted);
  EXPECT_EQ(state(1), AgentState::kNotReady);
  EXPECT_EQ(reason(1), "lunch");
  EXPECT_EQ(istate(100), InteractionState::kQueued) << "still not offered to the not-ready agent";
  ready(1);
  expect_offer(100, 1);
}

TEST_F(Outbound, ReadyAgentIsBusyThenWrapUpThenReady) {
  ready(1);
  ASSERT_TRUE(dial(900, 1).ok());
  EXPECT_EQ(state(1), AgentState::kBusy);
  call(100, kSales);
  expect_no_offer();
  hang_up(900);
  EXPECT_EQ(state(1), AgentState::kWrapUp);
  complete(900, 1);
  expect_offer(100, 1);  // free again: the waiting call comes at once
}

TEST_F(Outbound, RefusedWhenLoggedOutRingingOnACallInWrapUpOrHoldingChats) {
  Status s = dial(900, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("logged out"), std::string::npos) << s.error().message;

  ready(1);
  call(100, kSales);
  expect_offer(100, 1);
  s = dial(900, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("offer ringing"), std::string::npos) << s.error().message;

  accept(100, 1);
  s = dial(901, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("on a call"), std::string::npos) << s.error().message;
  hang_up(100);
  s = dial(902, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("wrap-up"), std::string::npos) << s.error().message;
  complete(100, 1);

  chat(200, kChats);
  expect_offer(200, 1);
  accept(200, 1);
  s = dial(903, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("exclusive"), std::string::npos) << s.error().message;
  EXPECT_EQ(engine.interaction(I(903), now()), std::nullopt) << "nothing created by a refusal";
}

TEST_F(Outbound, BadQueueOrDuplicateIdIsRefused) {
  login(1);
  EXPECT_EQ(dial(900, 1, 99).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(dial(900, 1, kChats).error().code, ErrorCode::kInvalidArgument) << "chat queue takes no voice";
  EXPECT_EQ(dial(901, 42).error().code, ErrorCode::kNotFound) << "unknown agent";
  ASSERT_TRUE(dial(900, 1).ok());
  EXPECT_EQ(dial(900, 2).error().code, ErrorCode::kAlreadyExists);
}

TEST_F(Outbound, CountsInTheQueueAsAnsweredAndCompletes) {
  login(1);
  ASSERT_TRUE(dial(900, 1).ok());
  auto q = engine.queue(Q(kSales), now());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->offered, 1);
  EXPECT_EQ(q->answered, 1);
  EXPECT_EQ(q->waiting, 0);
  complete(900, 1);
  expect_ended(900, EndReason::kCompleted);
  EXPECT_EQ(engine.agent(A(1))->load.total(), 0);
  EXPECT_EQ(state(1), AgentState::kNotReady);
}

}  // namespace
}  // namespace sb::routing::testing
