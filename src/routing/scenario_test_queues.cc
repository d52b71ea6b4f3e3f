// Queue order, priorities, skills relaxation, overflow, business hours, EWT.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kBilling = 1;
constexpr int kFrench = 2;
constexpr int kGold = 10;
constexpr int kStandard = 11;
constexpr int kOverflow = 12;

class Queues : public Scenario {};

TEST_F(Queues, WithinAQueueHigherPriorityFirstThenLongestWaiting) {
  queue(kStandard);
  agent(1);
  call(100, kStandard, 0);
  wait(1s);
  call(101, kStandard, 5);
  wait(1s);
  call(102, kStandard, 0);
  EXPECT_EQ(position(101), 1);
  EXPECT_EQ(position(100), 2);
  EXPECT_EQ(position(102), 3);
  ready(1);
  expect_offer(101, 1);
}

TEST_F(Queues, HigherPriorityQueueIsServedFirstEvenIfItsCallIsYounger) {
  QueueConfig gold = queue_config(kGold);
  gold.priority = 10;
  add_queue(gold);
  queue(kStandard);
  agent(1);
  call(100, kStandard);
  wait(60s);
  call(200, kGold);
  ready(1);
  expect_offer(200, 1);
}

TEST_F(Queues, AcrossQueuesOfEqualPriorityTheLongestWaitingIsServed) {
  queue(kGold);
  queue(kStandard);
  agent(1);
  call(200, kGold);
  call(100, kStandard, 0);
  wait(10s);
  ready(1);
  expect_offer(200, 1);  // same time: arrival order decides
}

TEST_F(Queues, InteractionPriorityComesBeforeWaitingTimeAcrossQueues) {
  queue(kGold);
  queue(kStandard);
  agent(1);
  call(100, kStandard, 0);
  wait(10s);
  call(200, kGold, 3);
  ready(1);
  expect_offer(200, 1);
}

TEST_F(Queues, RelaxationLetsALessSkilledAgentTakeTheCallAfterWaiting) {
  QueueConfig q = queue_config(kStandard, {{S(kBilling), 8}});
  q.relaxations = {{30s, {{S(kBilling), 5}}}, {60s, {}}};
  add_queue(q);
  agent(1, {{kBilling, 6}});
  agent(2);
  ready(1);
  ready(2);
  call(100, kStandard);
  expect_no_offer();
  EXPECT_EQ(engine.next_deadline(), now() + 30s);
  wait(29s);
  expect_no_offer();
  wait(1s);
  expect_offer(100, 1);
}

TEST_F(Queues, LastRelaxationStepCanDropAllRequirements) {
  QueueConfig q = queue_config(kStandard, {{S(kBilling), 8}});
  q.relaxations = {{60s, {}}, {30s, {{S(kFrench), 9}}}};  // unsorted on purpose
  add_queue(q);
  agent(2);
  ready(2);
  call(100, kStandard);
  wait(30s);
  expect_no_offer();
  wait(30s);
  expect_offer(100, 2);
}

TEST_F(Queues, MaxWaitOverflowsToTheOverflowQueueKeepingTheOriginalArrivalTime) {
  QueueConfig q = queue_config(kStandard);
  q.max_wait = 120s;
  q.overflow_queue = Q(kOverflow);
  add_queue(q);
  queue(kOverflow);
  call(100, kStandard);
  TimePoint arrived = now();
  wait(120s);
  expect_overflow(100, kStandard, kOverflow, "max_wait");
  expect_queued(100, kOverflow, 1);
  EXPECT_EQ(engine.interaction(I(100), now())->queue, Q(kOverflow));
  EXPECT_EQ(engine.interaction(I(100), now())->enqueued, arrived);
}

TEST_F(Queues, MaxWaitWithoutOverflowQueueEndsTheInteraction) {
  QueueConfig q = queue_config(kStandard);
  q.max_wait = 60s;
  add_queue(q);
  call(100, kStandard);
  wait(60s);
  expect_ended(100, EndReason::kOverflowDropped);
  EXPECT_EQ(engine.interaction_count(), 0u);
}

TEST_F(Queues, MaxWaitWhileOfferedOverflowsOnlyIfTheOfferFails) {
  QueueConfig q = queue_config(kStandard);
  q.max_wait = 30s;
  add_queue(q);
  call(100, kStandard);
  wait(25s);
  agent(1);
  ready(1);
  expect_offer(100, 1);
  wait(19s);  // max wait passes while ringing
  EXPECT_EQ(istate(100), InteractionState::kOffered);
  wait(1s);   // offer times out
  expect_ended(100, EndReason::kOverflowDropped);
}

BusinessHours weekdays_nine_to_five() {
  BusinessHours h;
  for (int d = 0; d < 5; ++d) h.open.push_back({d, 9 * 60, 17 * 60});
  return h;
}

TEST_F(Queues, ClosedQueueSendsArrivalsToTheOverflowQueue) {
  QueueConfig q = queue_config(kStandard);
  q.hours = weekdays_nine_to_five();
  q.overflow_queue = Q(kOverflow);
  add_queue(q);
  queue(kOverflow);
  clock.set(from_micros(0) + std::chrono::days(3) + 20h);  // Sunday 1970-01-04 20:00 UTC
  call(100, kStandard);
  expect_overflow(100, kStandard, kOverflow, "closed");
  expect_queued(100, kOverflow, 1);
}

TEST_F(Queues, ClosedQueueWithoutOverflowEndsArrivalsAsClosed) {
  QueueConfig q = queue_config(kStandard);
  q.hours = weekdays_nine_to_five();
  add_queue(q);
  clock.set(from_micros(0) + std::chrono::days(4) + 8h);  // Monday 08:00
  call(100, kStandard);
  expect_ended(100, EndReason::kClosed);
  clock.set(from_micros(0) + std::chrono::days(4) + 9h);  // Monday 09:00: open
  call(101, kStandard);
  expect_queued(101, kStandard, 1);
}

TEST_F(Queues, ClosingTimeLosesNothingThatIsAlreadyWaiting) {
  QueueConfig q = queue_config(kStandard);
  q.hours = weekdays_nine_to_five();
  add_queue(q);
  agent(1);
  clock.set(from_micros(0) + std::chrono::days(4) + 16h + 59min);  // Monday 16:59
  call(100, kStandard);
  wait(5min);  // now closed
  ready(1);
  expect_offer(100, 1);
}

TEST_F(Queues, BusinessHoursUseTheUtcOffset) {
  BusinessHours h = weekdays_nine_to_five();
  h.utc_offset_minutes = 120;  // UTC+2
  TimePoint monday = from_micros(0) + std::chrono::days(4);
  EXPECT_FALSE(h.is_open(monday + 6h + 59min));
  EXPECT_TRUE(h.is_open(monday + 7h));
  EXPECT_FALSE(h.is_open(monday + 15h));
  EXPECT_TRUE(BusinessHours{}.is_open(monday));
}

TEST_F(Queues, PositionAndEstimatedWaitFollowTheDocumentedFormula) {
  queue(kStandard);  // voice: AHT starts at 180 s
  agent(1);
  agent(2);
  login(1);
  login(2);  // logged in (not ready) agents count as capacity
  for (int i = 100; i < 104; ++i) call(i, kStandard);
  auto w = engine.waiting(Q(kStandard), now());
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[3].id, I(103));
  EXPECT_EQ(w[3].position, 4);
  EXPECT_EQ(w[3].estimated_wait, 360s);  // 4 * 180 s / 2 agents
  EXPECT_EQ(engine.interaction(I(100), now())->estimated_wait, 90s);
}

TEST_F(Queues, InteractionQueuedReportsOneBasedPositions) {
  queue(kStandard);
  call(100, kStandard);
  expect_queued(100, kStandard, 1);
  call(101, kStandard);
  expect_queued(101, kStandard, 2);
  call(102, kStandard, 9);
  expect_queued(102, kStandard, 1);
}

TEST_F(Queues, QueueRefusesChannelsItDoesNotAcceptAndUnknownQueues) {
  QueueConfig q = queue_config(kStandard);
  q.channels = {Channel::kChat};
  add_queue(q);
  InteractionSpec spec;
  spec.id = I(100);
  spec.queue = Q(kStandard);
  spec.channel = Channel::kVoice;
  EXPECT_EQ(engine.arrive(spec, now()).error().code, ErrorCode::kInvalidArgument);
  spec.queue = Q(999);
  EXPECT_EQ(engine.arrive(spec, now()).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(sink.events.empty());
}

TEST_F(Queues, QueueStatisticsCountOfferedAnsweredInServiceLevelAndAbandoned) {
  queue(kStandard);
  agent(1);
  call(100, kStandard);
  call(101, kStandard);
  wait(10s);
  ready(1);
  answer(100, 1);
  wait(30s);
  ASSERT_TRUE(engine.abandon(I(101), now()).ok());
  wait(60s);
  complete(100, 1);
  auto s = engine.queue(Q(kStandard), now());
  EXPECT_EQ(s->offered, 2);
  EXPECT_EQ(s->answered, 1);
  EXPECT_EQ(s->answered_in_sl, 1);  // 10 s <= 20 s
  EXPECT_EQ(s->abandoned, 1);
  EXPECT_EQ(s->avg_handle_time, 171s);  // 0.9 * 180 s + 0.1 * 90 s
  EXPECT_EQ(s->agents_logged_in, 1);
  EXPECT_EQ(s->agents_ready, 1);
}

TEST_F(Queues, ReconfiguringAQueueKeepsWhoIsWaitingAndRematches) {
  queue(kStandard, {{kBilling, 9}});
  agent(1, {{kBilling, 5}});
  ready(1);
  call(100, kStandard);
  call(101, kStandard);
  expect_no_offer();
  queue(kStandard, {{kBilling, 5}});
  expect_offer(100, 1);
  EXPECT_EQ(position(101), 1);
}

TEST_F(Queues, InvalidQueueConfigurationIsRejected) {
  QueueConfig q = queue_config(kStandard);
  q.overflow_queue = Q(kStandard);
  EXPECT_EQ(engine.upsert_queue(q, now()).error().code, ErrorCode::kInvalidArgument);
  q = queue_config(kStandard, {{S(kBilling), 0}});
  EXPECT_EQ(engine.upsert_queue(q, now()).error().code, ErrorCode::kInvalidArgument);
  q = queue_config(0);
  EXPECT_EQ(engine.upsert_queue(q, now()).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sb::routing::testing
