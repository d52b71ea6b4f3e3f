// Agent selection strategies.
#include "routing/scenario_fixture.h"

namespace sb::routing::testing {
namespace {

constexpr int kBilling = 1;
constexpr int kTechnical = 2;
constexpr int kQ = 10;

class Strategies : public Scenario {
 protected:
  void use(Strategy s, std::vector<SkillRequirement> reqs = {}, Channel channel = Channel::kVoice) {
    QueueConfig q = queue_config(kQ, std::move(reqs));
    q.strategy = s;
    q.channels = {channel};
    q.wrapup = Duration::zero();
    add_queue(q);
  }
  // Agent `a` takes one call and finishes it, which resets its idle time.
  void handle_one(int i, int a) {
    call(i, kQ);
    answer(i, a);
    complete(i, a);
  }
};

TEST_F(Strategies, LongestIdleOffersToTheAgentReadyTheLongest) {
  use(Strategy::kLongestIdle);
  agent(1);
  agent(2);
  agent(3);
  ready(2);
  wait(1s);
  ready(3);
  wait(1s);
  ready(1);
  call(100, kQ);
  expect_offer(100, 2);
}

TEST_F(Strategies, LongestIdleCountsFromTheLastFinishedInteraction) {
  use(Strategy::kLongestIdle);
  agent(1);
  agent(2);
  ready(1);
  wait(1s);
  ready(2);
  wait(1s);
  handle_one(100, 1);  // agent 1 just finished: agent 2 is now idle longest
  call(101, kQ);
  expect_offer(101, 2);
}

TEST_F(Strategies, MostSkilledOffersToTheHighestProficiency) {
  use(Strategy::kMostSkilled, {{S(kBilling), 3}, {S(kTechnical), 1}});
  agent(1, {{kBilling, 5}, {kTechnical, 5}});
  agent(2, {{kBilling, 9}, {kTechnical, 4}});
  agent(3, {{kBilling, 10}});  // not eligible: lacks technical
  ready(1);
  ready(2);
  ready(3);
  call(100, kQ);
  expect_offer(100, 2);  // 13 > 10
}

TEST_F(Strategies, MostSkilledTiesGoToTheLongestIdle) {
  use(Strategy::kMostSkilled, {{S(kBilling), 1}});
  agent(1, {{kBilling, 7}});
  agent(2, {{kBilling, 7}});
  ready(2);
  wait(1s);
  ready(1);
  call(100, kQ);
  expect_offer(100, 2);
}

TEST_F(Strategies, LeastOccupiedOffersToTheAgentWithTheLowestLoad) {
  use(Strategy::kLeastOccupied, {}, Channel::kChat);
  ChannelCounts chats;
  chats[Channel::kChat] = 4;
  agent(1, {}, chats);
  agent(2, {}, chats);
  ready(1);
  wait(1s);
  ready(2);
  chat(100, kQ);
  answer(100, 1);  // agent 1 idle longest: takes the first chat
  chat(101, kQ);
  expect_offer(101, 2);  // agent 1 at 25 %, agent 2 at 0 %
  accept(101, 2);
  chat(102, kQ);
  expect_offer(102, 1);  // both at 25 %: agent 1 idle since earlier
}

TEST_F(Strategies, RoundRobinRotatesThroughEligibleAgents) {
  use(Strategy::kRoundRobin);
  for (int a = 1; a <= 3; ++a) {
    agent(a);
    ready(a);
  }
  // Agent ids 1, 2, 3, then wrap around to 1.
  handle_one(100, 1);
  handle_one(101, 2);
  handle_one(102, 3);
  handle_one(103, 1);
}

TEST_F(Strategies, RoundRobinSkipsAgentsWhoAreNotAvailable) {
  use(Strategy::kRoundRobin);
  for (int a = 1; a <= 3; ++a) {
    agent(a);
    ready(a);
  }
  handle_one(100, 1);
  not_ready(2);
  handle_one(101, 3);
  handle_one(102, 1);
}

TEST_F(Strategies, RingAllOffersToEveryAvailableAgentAndFirstAcceptWins) {
  use(Strategy::kRingAll);
  agent(1);
  agent(2);
  agent(3);
  ready(1);
  ready(2);
  ready(3);
  call(100, kQ);
  expect_offer_to_all(100, {1, 2, 3});
  EXPECT_EQ(state(2), AgentState::kReserved);
  accept(100, 2);
  EXPECT_EQ(count_events<OfferRevoked>(), 2);
  EXPECT_EQ(state(1), AgentState::kReady);
  EXPECT_EQ(state(2), AgentState::kBusy);
  EXPECT_EQ(state(3), AgentState::kReady);
  call(101, kQ);
  expect_offer_to_all(101, {1, 3});
}

TEST_F(Strategies, RingAllRejectByOneKeepsTheOthersRinging) {
  use(Strategy::kRingAll);
  agent(1);
  agent(2);
  ready(1);
  ready(2);
  call(100, kQ);
  expect_offer_to_all(100, {1, 2});
  reject(100, 1);
  EXPECT_EQ(istate(100), InteractionState::kOffered);
  accept(100, 2);
  EXPECT_EQ(state(2), AgentState::kBusy);
}

TEST_F(Strategies, RingAllTimeoutMakesEveryRungAgentMissed) {
  use(Strategy::kRingAll);
  agent(1);
  agent(2);
  ready(1);
  ready(2);
  call(100, kQ);
  wait(20s);
  EXPECT_EQ(count_events<OfferTimedOut>(), 2);
  EXPECT_EQ(reason(1), "missed");
  EXPECT_EQ(reason(2), "missed");
  EXPECT_EQ(istate(100), InteractionState::kQueued);
}

TEST_F(Strategies, RingAllOnChatBehavesAsLongestIdle) {
  use(Strategy::kRingAll, {}, Channel::kChat);
  agent(1);
  agent(2);
  ready(2);
  wait(1s);
  ready(1);
  chat(100, kQ);
  expect_offer(100, 2);
}

}  // namespace
}  // namespace sb::routing::testing
