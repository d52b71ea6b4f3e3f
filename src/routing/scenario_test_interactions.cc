// Conversation life cycle, transfers, callbacks, cancel, preferred agents.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kSales = 10;
constexpr int kSupport = 11;

class Interactions : public Scenario {
 protected:
  void SetUp() override {
    queue(kSales);
    queue(kSupport);
    agent(1);
    agent(2);
  }
};

TEST_F(Interactions, HangUpStartsWrapUpAndCompleteEndsTheInteraction) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  hang_up(100);
  ASSERT_NE(next_event<ConversationEnded>(), nullptr);
  EXPECT_EQ(engine.agent(A(1))->wrapup_ends, now() + 30s);
  complete(100, 1);
  expect_ended(100, EndReason::kCompleted);
  EXPECT_EQ(state(1), AgentState::kReady);
  EXPECT_EQ(engine.agent(A(1))->load.total(), 0);
}

TEST_F(Interactions, CompleteWhileConnectedEndsConversationAndInteraction) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  complete(100, 1);
  ASSERT_NE(next_event<ConversationEnded>(), nullptr);
  expect_ended(100, EndReason::kCompleted);
  EXPECT_EQ(engine.complete(I(100), A(1), now()).error().code, ErrorCode::kNotFound);
}

TEST_F(Interactions, CompleteByAnotherAgentIsAConflict) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  EXPECT_EQ(engine.complete(I(100), A(2), now()).error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine.end_conversation(I(999), now()).error().code, ErrorCode::kNotFound);
}

TEST_F(Interactions, TransferToQueueEntersAtTheBackWithAFreshTimeAndFreesTheAgent) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  call(200, kSupport);
  wait(10s);
  ASSERT_TRUE(engine.transfer_to_queue(I(100), Q(kSupport), now()).ok());
  const Transferred* t = next_event<Transferred>();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->from_agent, A(1));
  // Agent 1 is free again and takes the longest waiting support call, not the transfer.
  expect_offer(200, 1);
  EXPECT_EQ(position(100), 1);
  EXPECT_EQ(engine.interaction(I(100), now())->enqueued, now());
  EXPECT_EQ(engine.agent(A(1))->load[Channel::kVoice], 0);
}

TEST_F(Interactions, TransferToAgentWaitsForThatAgentOnly) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  login(2);
  ASSERT_TRUE(engine.transfer_to_agent(I(100), A(2), now()).ok());
  expect_no_offer();  // agent 1 is free but the call is for agent 2
  EXPECT_EQ(state(1), AgentState::kReady);
  ready(2);
  expect_offer(100, 2);
}

TEST_F(Interactions, TransferToALoggedOutOrUnknownAgentIsAnError) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  EXPECT_EQ(engine.transfer_to_agent(I(100), A(2), now()).error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine.transfer_to_agent(I(100), A(99), now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(engine.transfer_to_queue(I(100), Q(99), now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(istate(100), InteractionState::kConnected);
}

TEST_F(Interactions, PreferredAgentOnArrivalIsOfferedOnlyToThatAgent) {
  ready(1);
  InteractionSpec spec;
  spec.id = I(100);
  spec.queue = Q(kSales);
  spec.preferred_agent = A(2);
  ASSERT_TRUE(engine.arrive(spec, now()).ok());
  expect_no_offer();
  ready(2);
  expect_offer(100, 2);
}

TEST_F(Interactions, CallbackKeepsItsPlaceInLineAndNeedsCallbackCapacity) {
  call(100, kSales);
  wait(1s);
  call(101, kSales);
  ASSERT_TRUE(engine.convert_to_callback(I(100), "+15551234", now()).ok());
  ASSERT_NE(next_event<ConvertedToCallback>(), nullptr);
  auto s = engine.interaction(I(100), now());
  EXPECT_TRUE(s->callback);
  EXPECT_EQ(s->channel, Channel::kCallback);
  EXPECT_EQ(s->position, 1);
  ChannelCounts voice_only;
  voice_only[Channel::kVoice] = 1;
  agent(3, {}, voice_only);
  ready(3);
  expect_offer(101, 3);  // cannot take callbacks
  ready(1);
  expect_offer(100, 1);
}

TEST_F(Interactions, ConvertToCallbackRequiresAWaitingVoiceCall) {
  ready(1);
  call(100, kSales);
  EXPECT_EQ(engine.convert_to_callback(I(100), "+1555", now()).error().code, ErrorCode::kConflict);
  call(101, kSales);
  EXPECT_EQ(engine.convert_to_callback(I(101), "", now()).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(Interactions, CancelRemovesAWaitingInteraction) {
  call(100, kSales);
  ASSERT_TRUE(engine.cancel(I(100), now()).ok());
  expect_ended(100, EndReason::kCancelled);
  EXPECT_EQ(engine.interaction_count(), 0u);
}

TEST_F(Interactions, CancelOfAConnectedInteractionFreesTheAgent) {
  ready(1);
  call(100, kSales);
  answer(100, 1);
  call(101, kSales);
  ASSERT_TRUE(engine.cancel(I(100), now()).ok());
  expect_ended(100, EndReason::kCancelled);
  expect_offer(101, 1);
}

TEST_F(Interactions, DuplicateAndZeroIdsAreRejected) {
  call(100, kSales);
  InteractionSpec spec;
  spec.id = I(100);
  spec.queue = Q(kSales);
  EXPECT_EQ(engine.arrive(spec, now()).error().code, ErrorCode::kAlreadyExists);
  spec.id = I(0);
  EXPECT_EQ(engine.arrive(spec, now()).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(Interactions, RestoredInteractionKeepsItsOriginalArrivalTime) {
  call(100, kSales);
  InteractionSpec spec;
  spec.id = I(101);
  spec.queue = Q(kSales);
  spec.enqueued = now() - 5min;
  ASSERT_TRUE(engine.arrive(spec, now()).ok());
  EXPECT_EQ(position(101), 1);
}

TEST_F(Interactions, SameCallsProduceTheSameEvents) {
  auto run = [](RecordingSink& sink) {
    Engine e(sink);
    TimePoint t = from_micros(1'000'000);
    QueueConfig q;
    q.id = Q(1);
    q.strategy = Strategy::kRingAll;
    (void)e.upsert_queue(q, t);
    for (int a = 1; a <= 3; ++a) {
      AgentConfig c;
      c.id = A(a);
      c.capacity = AgentConfig::default_capacity();
      (void)e.upsert_agent(c, t);
      (void)e.login(A(a), t);
      (void)e.set_ready(A(a), t);
    }
    for (int i = 1; i <= 5; ++i) {
      InteractionSpec s;
      s.id = I(i);
      s.queue = Q(1);
      (void)e.arrive(s, t);
    }
    (void)e.accept(I(1), A(2), t);
    e.advance(t + 60s);
  };
  RecordingSink a, b;
  run(a);
  run(b);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t k = 0; k < a.events.size(); ++k) EXPECT_EQ(describe(a.events[k].event), describe(b.events[k].event));
}

}  // namespace
}  // namespace sb::routing::testing
