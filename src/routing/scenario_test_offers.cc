// Offers: accept, reject, time-out, abandon, revoke.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kSupport = 10;

class Offers : public Scenario {
 protected:
  void SetUp() override {
    queue(kSupport);
    agent(1);
    agent(2);
  }
};

TEST_F(Offers, AcceptConnectsTheCallAndTheAgentIsBusy) {
  ready(1);
  call(100, kSupport);
  expect_offer(100, 1);
  wait(5s);
  accept(100, 1);
  const Accepted* a = next_event<Accepted>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->waited, 5s);
  EXPECT_EQ(istate(100), InteractionState::kConnected);
  EXPECT_EQ(state(1), AgentState::kBusy);
}

TEST_F(Offers, OfferTimeoutPutsTheCallBackInItsPlaceAndTheAgentNotReadyMissed) {
  call(100, kSupport);
  wait(1s);
  call(101, kSupport);
  ready(1);
  expect_offer(100, 1);
  EXPECT_EQ(engine.next_deadline(), now() + 20s);
  wait(20s);
  ASSERT_NE(next_event<OfferTimedOut>(), nullptr);
  expect_state_change(1, AgentState::kNotReady, "missed");
  expect_queued(100, kSupport, 1);  // back at the head, ahead of 101
  EXPECT_EQ(position(100), 1);
  EXPECT_EQ(position(101), 2);
  EXPECT_EQ(engine.interaction(I(100), now())->enqueued, now() - 21s);
}

TEST_F(Offers, RejectReturnsTheCallToItsPlaceAndTheAgentGoesNotReadyRejected) {
  call(100, kSupport);
  call(101, kSupport);
  ready(1);
  expect_offer(100, 1);
  reject(100, 1);
  expect_state_change(1, AgentState::kNotReady, "rejected");
  expect_queued(100, kSupport, 1);
  ready(2);
  expect_offer(100, 2);
}

TEST_F(Offers, AcceptOrRejectByAnAgentWhoWasNotOfferedIsAConflict) {
  ready(1);
  ready(2);
  call(100, kSupport);
  expect_offer(100, 1);
  std::size_t events = sink.events.size();
  EXPECT_EQ(engine.accept(I(100), A(2), now()).error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine.reject(I(100), A(2), now()).error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine.accept(I(999), A(1), now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(engine.accept(I(100), A(999), now()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(sink.events.size(), events);  // failed calls report nothing
  accept(100, 1);
  EXPECT_EQ(engine.accept(I(100), A(1), now()).error().code, ErrorCode::kConflict);
}

TEST_F(Offers, AbandonWhileOfferedRevokesTheOfferWithoutPenalty) {
  ready(1);
  call(100, kSupport);
  expect_offer(100, 1);
  wait(3s);
  ASSERT_TRUE(engine.abandon(I(100), now()).ok());
  ASSERT_NE(next_event<OfferRevoked>(), nullptr);
  const InteractionEnded* e = next_event<InteractionEnded>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->reason, EndReason::kAbandoned);
  EXPECT_EQ(e->waited, 3s);
  EXPECT_EQ(state(1), AgentState::kReady);
}

TEST_F(Offers, AbandonWhileQueuedEndsWithTheTimeWaited) {
  call(100, kSupport);
  call(101, kSupport);
  wait(42s);
  ASSERT_TRUE(engine.abandon(I(100), now()).ok());
  const InteractionEnded* e = next_event<InteractionEnded>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->waited, 42s);
  EXPECT_EQ(position(101), 1);
  EXPECT_EQ(engine.queue(Q(kSupport), now())->abandoned, 1);
  EXPECT_EQ(engine.abandon(I(100), now()).error().code, ErrorCode::kNotFound);
}

TEST_F(Offers, AbandonAfterAcceptIsAConflict) {
  ready(1);
  call(100, kSupport);
  answer(100, 1);
  EXPECT_EQ(engine.abandon(I(100), now()).error().code, ErrorCode::kConflict);
}

TEST_F(Offers, GoingNotReadyWhileReservedWithdrawsTheOffer) {
  ready(1);
  call(100, kSupport);
  expect_offer(100, 1);
  not_ready(1, "break");
  ASSERT_NE(next_event<OfferRevoked>(), nullptr);
  expect_queued(100, kSupport, 1);
  ready(2);
  expect_offer(100, 2);
}

TEST_F(Offers, OneInteractionIsOfferedToOneAgentAtATime) {
  ready(1);
  ready(2);
  call(100, kSupport);
  expect_offer(100, 1);
  call(101, kSupport);
  expect_offer(101, 2);
  call(102, kSupport);
  expect_no_offer();
}

}  // namespace
}  // namespace sb::routing::testing
